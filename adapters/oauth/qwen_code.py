"""Qwen Code logins (``~/.qwen/oauth_creds.json``): OpenAI-compatible chat at ``resource_url``.

The base URL comes from the pasted file (and from each refresh), so it is user input: it goes
through the same SSRF guard and pinned transport as user-entered OpenAI-compatible URLs.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping

import httpx2
from openai import AsyncOpenAI

from adapters.config import AdapterConfig
from adapters.oauth.base import CredentialFileProvider
from adapters.oauth.files import FileReader, as_epoch_ms, as_str
from adapters.oauth.refresh import RefreshCall, TokenSpec, expires_in_ms
from adapters.openai_chat import OpenAIChatProvider
from adapters.ssrf import Resolver, check_base_url, guarded_http_client, system_resolver
from adapters.types import (
    ApiKeyCredential,
    ChatRequest,
    Credential,
    ModelInfo,
    OAuthCredential,
    Secret,
    StreamEvent,
)

PROVIDER_ID = "qwen_code"
DISPLAY = "Qwen Code"
MODEL = "coder-model"

_READER = FileReader(provider=PROVIDER_ID, display=DISPLAY, where="~/.qwen/oauth_creds.json")


def base_url_of(resource_url: str, default: str) -> str:
    """``resource_url`` as an SDK base URL: ``https://`` added if missing, ``/v1`` appended."""
    url = resource_url.strip().rstrip("/")
    if not url:
        return default
    if "://" not in url:
        url = f"https://{url}"
    return url if url.endswith("/v1") else f"{url}/v1"


class QwenTokens(TokenSpec):
    """Flat fields; form refresh body; may return a new refresh token and resource_url."""

    provider = PROVIDER_ID
    display = DISPLAY
    client_setting = "qwen_oauth_client_id"

    def access_token(self, data: Mapping[str, object]) -> str:
        return as_str(data.get("access_token"))

    def refresh_token(self, data: Mapping[str, object]) -> str:
        return as_str(data.get("refresh_token"))

    def expires_at_ms(self, data: Mapping[str, object]) -> int | None:
        return as_epoch_ms(data.get("expiry_date"))

    def refresh_call(self, data: Mapping[str, object], config: AdapterConfig) -> RefreshCall:
        return RefreshCall(
            config.qwen_token_url,
            form={
                "grant_type": "refresh_token",
                "refresh_token": self.refresh_token(data),
                "client_id": config.qwen_oauth_client_id,
            },
        )

    def apply(
        self, data: Mapping[str, object], grant: Mapping[str, object], now_ms: int
    ) -> dict[str, object]:
        out = dict(data)
        out["access_token"] = as_str(grant.get("access_token"))
        out["refresh_token"] = as_str(grant.get("refresh_token")) or self.refresh_token(data)
        out["expiry_date"] = expires_in_ms(grant, now_ms)
        for name in ("token_type", "resource_url", "id_token"):
            value = grant.get(name)
            if isinstance(value, str) and value:
                out[name] = value
        return out


class _QwenChatApi(OpenAIChatProvider):
    """The OpenAI-chat engine aimed at the login's ``resource_url``, behind the SSRF guard."""

    id = PROVIDER_ID
    display_name = DISPLAY
    credential_kinds = ("api_key",)
    max_tokens_param = "max_tokens"
    resolver: Resolver = staticmethod(system_resolver)

    def models(self) -> list[ModelInfo]:
        # Served from the member's Qwen account: nothing is billed per token here.
        return [ModelInfo(PROVIDER_ID, MODEL, "Qwen Coder", 131_072, 65_536, ("text",), 0.0, 0.0)]

    def base_url_for(self, credential: ApiKeyCredential) -> str:
        return credential.base_url or self.config.qwen_default_base_url

    async def client_for(self, credential: Credential | None) -> AsyncOpenAI:
        if isinstance(credential, ApiKeyCredential):
            await check_base_url(
                self.base_url_for(credential),
                allow_private=self.config.allow_private_base_urls,
                resolver=self.resolver,
            )
        return await super().client_for(credential)

    def http_client(self) -> httpx2.AsyncClient | None:
        return guarded_http_client(
            allow_private=self.config.allow_private_base_urls,
            timeout=self.timeout(),
            resolver=self.resolver,
        )


class QwenCodeProvider(CredentialFileProvider):
    """Qwen's coder model through a member's Qwen Code login."""

    id = PROVIDER_ID
    display_name = DISPLAY
    description = (
        "Qwen's coder model through your own Qwen account: paste the ~/.qwen/oauth_creds.json "
        "that Qwen Code writes. Note: Qwen ended its free OAuth tier in April 2026, so this only "
        "works for accounts that still receive these logins; check Qwen's terms before use. The "
        "file is personal and never shared with your workspace. Qwen rotates the refresh token, "
        "so after Switchboard refreshes it the CLI on your machine will ask you to sign in again."
    )

    def __init__(self, config: AdapterConfig | None = None) -> None:
        super().__init__(config)
        self._api = _QwenChatApi(self.config)

    def token_spec(self) -> TokenSpec:
        return QwenTokens()

    def models(self) -> list[ModelInfo]:
        return self._api.models()

    def parse_credentials(self, text: str) -> dict[str, object]:
        data = _READER.document(text)
        for name in ("access_token", "refresh_token", "token_type", "resource_url"):
            _READER.string(data, name)
        _READER.epoch_ms(data, "expiry_date")
        _READER.optional_string(data, "id_token")
        return data

    def _bearer(self, credential: OAuthCredential, token: str) -> ApiKeyCredential:
        base_url = base_url_of(
            as_str(credential.data.get("resource_url")), self.config.qwen_default_base_url
        )
        return ApiKeyCredential(Secret(token), base_url=base_url)

    async def stream_with_token(
        self, request: ChatRequest, credential: OAuthCredential, token: str
    ) -> AsyncGenerator[StreamEvent, None]:
        async for event in self._api.stream(request, self._bearer(credential, token)):
            yield event

    async def check_token(self, credential: OAuthCredential, token: str) -> None:
        await self._api.list_models(self._bearer(credential, token))

    async def list_models_with_token(
        self, credential: OAuthCredential, token: str
    ) -> list[ModelInfo]:
        return await self._api.list_models(self._bearer(credential, token))
