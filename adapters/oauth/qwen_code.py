"""Qwen Code logins (``~/.qwen/oauth_creds.json``): OpenAI-compatible chat at ``resource_url``.

The base URL comes from the pasted file (and from each refresh), so it is user input: it goes
through the same SSRF guard and pinned transport as user-entered OpenAI-compatible URLs. One
exception: a ``resource_url`` on an origin the operator configured for Qwen (the token endpoint
``qwen_token_url`` or ``qwen_default_base_url``) is not refused for being private, because the
server already talks to that origin on the operator's say-so. That is what lets the offline demo,
whose Qwen endpoints are the loopback simulator, work with the guard on for everything else.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from openai import AsyncOpenAI

from adapters.config import AdapterConfig
from adapters.oauth.base import BearerApiProvider
from adapters.oauth.files import FileReader, as_str
from adapters.oauth.refresh import FlatTokens, RefreshCall, expires_in_ms
from adapters.openai_chat.provider import OpenAIChatProvider
from adapters.ssrf import Resolver, check_base_url, guarded_http_client, system_resolver
from adapters.types import (
    ApiKeyCredential,
    Credential,
    ModelInfo,
    OAuthCredential,
    Secret,
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


def origin_of(url: str) -> tuple[str, str, int] | None:
    """Scheme, host and port of an http(s) URL (default ports filled in), None if it has none."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".").lower()
    if scheme not in ("http", "https") or not host or "@" in parts.netloc:
        return None
    return scheme, host, port or (443 if scheme == "https" else 80)


class QwenTokens(FlatTokens):
    """Flat fields; form refresh body; may return a new refresh token and resource_url."""

    provider = PROVIDER_ID
    display = DISPLAY
    client_setting = "qwen_oauth_client_id"

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
        return [self.entry(MODEL, "Qwen Coder", window=131_072, out=65_536, price=(0.0, 0.0))]

    def base_url_for(self, credential: ApiKeyCredential) -> str:
        return credential.base_url or self.config.qwen_default_base_url

    def operator_origin(self, url: str) -> bool:
        """Whether `url` is on an origin the operator configured for Qwen (token or API)."""
        origin = origin_of(url)
        configured = {origin_of(self.config.qwen_token_url)}
        configured.add(origin_of(self.config.qwen_default_base_url))
        return origin is not None and origin in configured

    def allows_private(self, base_url: str) -> bool:
        """Private addresses are reachable by operator setting or on an operator origin only."""
        return self.config.allow_private_base_urls or self.operator_origin(base_url)

    async def client_for(self, credential: Credential | None) -> AsyncOpenAI:
        if isinstance(credential, ApiKeyCredential):
            base_url = self.base_url_for(credential)
            await check_base_url(
                base_url, allow_private=self.allows_private(base_url), resolver=self.resolver
            )
        return await super().client_for(credential)

    def _make_client(self, base_url: str, secret: str) -> AsyncOpenAI:
        # The pinned transport checks every connection again, with the same exemption as above.
        http = guarded_http_client(
            allow_private=self.allows_private(base_url),
            timeout=self.timeout(),
            resolver=self.resolver,
        )
        return AsyncOpenAI(
            api_key=secret,
            base_url=base_url,
            max_retries=0,
            timeout=self.timeout(),
            http_client=http,
        )


class QwenCodeProvider(BearerApiProvider):
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

    token_spec = QwenTokens()
    api_class = _QwenChatApi

    def parse_credentials(self, text: str) -> dict[str, object]:
        data = _READER.document(text)
        for name in ("access_token", "refresh_token", "token_type", "resource_url"):
            _READER.string(data, name)
        _READER.epoch_ms(data, "expiry_date")
        _READER.optional_string(data, "id_token")
        return data

    def bearer(self, credential: OAuthCredential, token: str) -> ApiKeyCredential:
        base_url = base_url_of(
            as_str(credential.data.get("resource_url")), self.config.qwen_default_base_url
        )
        return ApiKeyCredential(Secret(token), base_url=base_url)

    async def check_token(self, credential: OAuthCredential, token: str) -> None:
        await self.list_models_with_token(credential, token)
