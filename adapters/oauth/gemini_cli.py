"""Gemini CLI logins (``~/.gemini/oauth_creds.json``): Gemini models through Code Assist.

Google's token endpoint never rotates the refresh token. The Code Assist project is resolved
once (``:loadCodeAssist``, onboarding if needed) and stored with the credential as
``projectId``, the field users may also add themselves.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass

import httpx

from adapters.clients import ClientCache
from adapters.config import AdapterConfig
from adapters.errors import ProviderError
from adapters.gemini.errors import map_gemini_error
from adapters.gemini.provider import MULTIMODAL
from adapters.gemini.translate import ResponseReader
from adapters.oauth.base import CredentialFileProvider
from adapters.oauth.code_assist import (
    CLIENT_METADATA,
    CodeAssistClient,
    unwrap_chunk,
    wrap_request,
)
from adapters.oauth.files import FileReader, as_str
from adapters.oauth.refresh import FlatTokens, RefreshCall, expires_in_ms
from adapters.types import ChatRequest, Credential, ModelInfo, OAuthCredential, StreamEvent

PROVIDER_ID = "gemini_cli"
DISPLAY = "Gemini CLI"
PROJECT_FIELD = "projectId"
FREE = (0.0, 0.0)

_READER = FileReader(provider=PROVIDER_ID, display=DISPLAY, where="~/.gemini/oauth_creds.json")


class GoogleTokens(FlatTokens):
    """Flat fields; form refresh body with the installed-app client; no rotation."""

    provider = PROVIDER_ID
    display = DISPLAY
    client_setting = "google_oauth_client_id / google_oauth_client_secret"

    def refresh_call(self, data: Mapping[str, object], config: AdapterConfig) -> RefreshCall:
        return RefreshCall(
            config.google_token_url,
            form={
                "client_id": config.google_oauth_client_id,
                "client_secret": config.google_oauth_client_secret,
                "refresh_token": self.refresh_token(data),
                "grant_type": "refresh_token",
            },
        )

    def apply(
        self, data: Mapping[str, object], grant: Mapping[str, object], now_ms: int
    ) -> dict[str, object]:
        out = dict(data)
        out["access_token"] = as_str(grant.get("access_token"))
        out["expiry_date"] = expires_in_ms(grant, now_ms)
        for name in ("token_type", "scope", "id_token", "refresh_token"):
            value = grant.get(name)
            if isinstance(value, str) and value:
                out[name] = value
        return out


@dataclass(frozen=True, slots=True)
class _Http:
    client: httpx.AsyncClient

    async def close(self) -> None:
        await self.client.aclose()


class GeminiCliProvider(CredentialFileProvider):
    """Gemini models through a member's Gemini CLI (Code Assist) login."""

    id = PROVIDER_ID
    display_name = DISPLAY
    description = (
        "Gemini models through your own Google account's Gemini CLI login: paste the "
        "~/.gemini/oauth_creds.json that the Gemini CLI writes. Warning: Google's terms forbid "
        "using the Gemini CLI's consumer login from third-party software, and Google may refuse "
        "these requests or act on your account; use it only if you accept that risk. The file "
        "is personal and never shared with your workspace."
    )
    token_spec = GoogleTokens()
    modalities = MULTIMODAL
    expected_errors = (httpx.HTTPError,)
    _http: ClientCache[_Http] = ClientCache(max_size=4)

    def models(self) -> list[ModelInfo]:
        # Served from the Google account's Code Assist quota: nothing is billed per token here.
        return [
            self.entry(
                "gemini-2.5-pro", "Gemini 2.5 Pro", window=1_048_576, out=65_536, price=FREE
            ),
            self.entry(
                "gemini-2.5-flash", "Gemini 2.5 Flash", window=1_048_576, out=65_536, price=FREE
            ),
        ]

    def error(self, exc: Exception, credential: Credential | None) -> ProviderError:
        return map_gemini_error(
            exc, provider=self.id, display=self.display_name, secrets=self.secrets(credential)
        )

    def parse_credentials(self, text: str) -> dict[str, object]:
        data = _READER.document(text)
        _READER.string(data, "access_token")
        _READER.string(data, "refresh_token")
        _READER.epoch_ms(data, "expiry_date")
        for name in ("token_type", "scope", "id_token", PROJECT_FIELD):
            _READER.optional_string(data, name)
        return data

    def _client(self, token: str) -> CodeAssistClient:
        base_url = self.config.code_assist_base_url

        def make() -> _Http:
            timeout = httpx.Timeout(
                self.config.request_timeout_s, connect=self.config.connect_timeout_s
            )
            return _Http(httpx.AsyncClient(timeout=timeout, follow_redirects=False))

        http = self._http.get(base_url, "code-assist", make).client
        return CodeAssistClient(http, base_url, token, self.id, self.display_name)

    async def project_of(self, credential: OAuthCredential, client: CodeAssistClient) -> str:
        """The stored project, or the one Code Assist assigns (then stored with the login)."""
        project = as_str(credential.data.get(PROJECT_FIELD))
        if project:
            return project
        project = await client.resolve_project()
        credential.data[PROJECT_FIELD] = project
        store = credential.store
        if store is not None:
            async with await store.lock():
                data = await store.load()
                if as_str(data.get(PROJECT_FIELD)) != project:
                    data[PROJECT_FIELD] = project
                    await store.save(data)
        return project

    async def stream_with_token(
        self, request: ChatRequest, credential: OAuthCredential, token: str
    ) -> AsyncGenerator[StreamEvent, None]:
        client = self._client(token)
        project = await self.project_of(credential, client)
        body = wrap_request(request, project=project, session_id=uuid.uuid4().hex)
        reader = ResponseReader()
        async for payload in client.stream(body):
            for event in reader.feed(unwrap_chunk(payload)):
                yield event
        for event in reader.ending():
            yield event

    async def check_token(self, credential: OAuthCredential, token: str) -> None:
        # loadCodeAssist is the cheapest authenticated call (and resolves a missing project).
        client = self._client(token)
        project = as_str(credential.data.get(PROJECT_FIELD))
        if not project:
            await self.project_of(credential, client)
            return
        metadata = {**CLIENT_METADATA, "duetProject": project}
        await client.call(
            "loadCodeAssist", {"cloudaicompanionProject": project, "metadata": metadata}
        )

    async def list_models_with_token(
        self, credential: OAuthCredential, token: str
    ) -> list[ModelInfo]:
        # Code Assist has no model listing: check the login, then offer the served models.
        await self.check_token(credential, token)
        return self.models()
