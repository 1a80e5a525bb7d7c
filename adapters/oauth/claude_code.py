"""Claude Code logins (``~/.claude/.credentials.json``): the Messages API with a Bearer token.

The API is Anthropic's own, so translation, streaming and error mapping are the Anthropic
adapter's; only the auth differs (``auth_token=`` plus the ``oauth-2025-04-20`` beta header).
The refresh token rotates and the old one dies at once, which is why refresh is single-flight.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import httpx2
from anthropic import AsyncAnthropic

from adapters.anthropic.provider import AnthropicProvider
from adapters.clients import ClientCache
from adapters.config import AdapterConfig
from adapters.errors import InvalidCredentials
from adapters.oauth.base import BearerApiProvider
from adapters.oauth.files import FileReader, as_epoch_ms, as_str
from adapters.oauth.refresh import RefreshCall, TokenSpec, expires_in_ms
from adapters.transport import anthropic_http_client
from adapters.types import (
    ApiKeyCredential,
    Credential,
    ModelInfo,
    OAuthCredential,
    Secret,
)

PROVIDER_ID = "claude_code"
DISPLAY = "Claude Code"
OAUTH_BETA = "oauth-2025-04-20"
SECTION = "claudeAiOauth"

_READER = FileReader(provider=PROVIDER_ID, display=DISPLAY, where="~/.claude/.credentials.json")


def _section(data: Mapping[str, object]) -> Mapping[str, object]:
    value = data.get(SECTION)
    return value if isinstance(value, dict) else {}


class ClaudeTokens(TokenSpec):
    """Tokens nested under ``claudeAiOauth``; JSON refresh body; rotating refresh token."""

    provider = PROVIDER_ID
    display = DISPLAY
    client_setting = "claude_oauth_client_id"

    def access_token(self, data: Mapping[str, object]) -> str:
        return as_str(_section(data).get("accessToken"))

    def refresh_token(self, data: Mapping[str, object]) -> str:
        return as_str(_section(data).get("refreshToken"))

    def expires_at_ms(self, data: Mapping[str, object]) -> int | None:
        return as_epoch_ms(_section(data).get("expiresAt"))

    def refresh_call(self, data: Mapping[str, object], config: AdapterConfig) -> RefreshCall:
        body = {
            "grant_type": "refresh_token",
            "refresh_token": self.refresh_token(data),
            "client_id": config.claude_oauth_client_id,
        }
        scopes = _section(data).get("scopes")
        if isinstance(scopes, list) and all(isinstance(s, str) for s in scopes) and scopes:
            body["scope"] = " ".join(str(s) for s in scopes)
        return RefreshCall(config.claude_token_url, json=body)

    def apply(
        self, data: Mapping[str, object], grant: Mapping[str, object], now_ms: int
    ) -> dict[str, object]:
        section = dict(_section(data))
        section["accessToken"] = as_str(grant.get("access_token"))
        # Rotation: the old refresh token is dead from now on; keep it only if none was sent.
        section["refreshToken"] = as_str(grant.get("refresh_token")) or self.refresh_token(data)
        section["expiresAt"] = expires_in_ms(grant, now_ms)
        scope = grant.get("scope")
        if isinstance(scope, str) and scope.strip():
            section["scopes"] = scope.split()
        return {**data, SECTION: section}


class _BearerMessagesApi(AnthropicProvider):
    """The Anthropic adapter, authenticating with an OAuth access token instead of a key."""

    id = PROVIDER_ID
    display_name = DISPLAY
    _clients: ClientCache[AsyncAnthropic] = ClientCache()

    def models(self) -> list[ModelInfo]:
        # Served from the member's subscription: nothing is billed per token here.
        return [
            replace(m, provider=PROVIDER_ID, input_price_per_mtok=0.0, output_price_per_mtok=0.0)
            for m in super().models()
        ]

    def client_for(self, credential: Credential | None) -> AsyncAnthropic:
        if not isinstance(credential, ApiKeyCredential):
            raise InvalidCredentials(
                "Claude Code needs its login's access token.", provider=self.id
            )
        base_url = self.config.anthropic_base_url
        token = credential.secret.reveal()
        return self._clients.get(
            base_url,
            token,
            lambda: AsyncAnthropic(
                api_key=None,
                auth_token=token,
                base_url=base_url,
                default_headers={"anthropic-beta": OAUTH_BETA},
                max_retries=0,
                http_client=anthropic_http_client(self.config),
                timeout=httpx2.Timeout(
                    self.config.request_timeout_s, connect=self.config.connect_timeout_s
                ),
            ),
        )


class ClaudeCodeProvider(BearerApiProvider):
    """Claude models through a member's Claude Pro/Max login (Claude Code's credential file)."""

    id = PROVIDER_ID
    display_name = DISPLAY
    description = (
        "Claude models through your own Claude Pro/Max subscription: paste the "
        "~/.claude/.credentials.json that Claude Code writes. Warning: Anthropic's terms forbid "
        "using Claude Code's consumer login from third-party software, and Anthropic may refuse "
        "these requests or act on your account; use it only if you accept that risk. The file "
        "is personal: it is never shared with your workspace. Claude rotates the refresh token, "
        "so after Switchboard refreshes it the CLI on your machine will ask you to sign in again."
    )

    token_spec = ClaudeTokens()
    api_class = _BearerMessagesApi
    sampling_parameters = _BearerMessagesApi.sampling_parameters
    api: _BearerMessagesApi

    def parse_credentials(self, text: str) -> dict[str, object]:
        data = _READER.document(text)
        section = _READER.section(data, SECTION)
        where = f"{SECTION}."
        _READER.string(section, "accessToken", path=where)
        _READER.string(section, "refreshToken", path=where)
        _READER.epoch_ms(section, "expiresAt", path=where)
        scopes = section.get("scopes")
        if scopes is not None and (
            not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes)
        ):
            raise _READER.fail(f"the field `{where}scopes` must be a list of strings")
        _READER.optional_string(section, "subscriptionType", path=where)
        return data

    def bearer(self, credential: OAuthCredential, token: str) -> ApiKeyCredential:
        return ApiKeyCredential(Secret(token))

    async def check_token(self, credential: OAuthCredential, token: str) -> None:
        bearer = self.bearer(credential, token)
        try:
            await self.api.client_for(bearer).models.list(limit=1)
        except Exception as exc:
            raise self.api.error(exc, bearer) from None
