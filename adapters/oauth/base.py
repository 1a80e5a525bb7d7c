"""What the three credential-file providers share: token handling and the one 401 retry.

A subclass says how to read its file (`parse_credentials`), how its tokens refresh
(`token_spec`) and how to call its API with a bearer token; this class makes sure every call
uses a fresh token and that an API 401 leads to exactly one forced refresh and one retry.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from typing import ClassVar, TypeVar

from adapters.config import AdapterConfig
from adapters.errors import InvalidCredentials, ProviderError
from adapters.oauth.refresh import TokenManager, TokenSpec
from adapters.provider import Provider
from adapters.types import (
    ApiKeyCredential,
    ChatRequest,
    Credential,
    CredentialKind,
    ErrorEvent,
    ModelInfo,
    OAuthCredential,
    StreamEvent,
    ValidationResult,
)
from adapters.validation import validation_result

T = TypeVar("T")


def is_rejection(error: ProviderError) -> bool:
    """The API refused the access token itself (expired or revoked early)."""
    return isinstance(error, InvalidCredentials) and error.status == 401


class CredentialFileProvider(Provider):
    """A provider reached with a vendor CLI's OAuth login instead of an API key."""

    credential_kinds: ClassVar[tuple[CredentialKind, ...]] = ("oauth_credentials",)
    requires_operator_opt_in: ClassVar[bool] = True
    # How this vendor's file holds tokens and how they refresh.
    token_spec: ClassVar[TokenSpec]
    _by_id: ClassVar[dict[str, type[CredentialFileProvider]]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__()
        if "id" in cls.__dict__:
            CredentialFileProvider._by_id[cls.id] = cls

    @classmethod
    def spec_for(cls, provider_id: str) -> TokenSpec | None:
        """The token spec of the credential-file provider with this id (None: not one)."""
        found = CredentialFileProvider._by_id.get(provider_id)
        return found.token_spec if found else None

    def __init__(self, config: AdapterConfig | None = None) -> None:
        super().__init__(config)
        self.tokens = TokenManager(self.token_spec, self.config)

    @abstractmethod
    def parse_credentials(self, text: str) -> dict[str, object]:
        """The pasted file as a dict; `InvalidCredentialFile` names a missing or bad field."""

    @abstractmethod
    def stream_with_token(
        self, request: ChatRequest, credential: OAuthCredential, token: str
    ) -> AsyncGenerator[StreamEvent, None]:
        """One chat call with this access token (like `stream_events`: it may raise)."""

    @abstractmethod
    async def check_token(self, credential: OAuthCredential, token: str) -> None:
        """The cheapest authenticated call; raises a normalized `ProviderError`."""

    @abstractmethod
    async def list_models_with_token(
        self, credential: OAuthCredential, token: str
    ) -> list[ModelInfo]:
        """The models this login may use; raises a normalized `ProviderError`."""

    def refresh_token_of(self, data: dict[str, object]) -> str:
        """The refresh token in a parsed file (its fingerprint identifies the login)."""
        return self.token_spec.refresh_token(data)

    def secrets(self, credential: Credential | None) -> tuple[str, ...]:
        if not isinstance(credential, OAuthCredential):
            return ()
        data = credential.data
        return (self.token_spec.access_token(data), self.token_spec.refresh_token(data))

    def oauth(self, credential: Credential | None) -> OAuthCredential:
        if not isinstance(credential, OAuthCredential):
            raise InvalidCredentials(
                f"{self.display_name} needs the credential file its CLI writes.",
                provider=self.id,
            )
        return credential

    async def with_token(
        self, credential: Credential | None, call: Callable[[OAuthCredential, str], Awaitable[T]]
    ) -> T:
        """Run `call` with a fresh token; after a 401, refresh once under the lock and retry."""
        oauth = self.oauth(credential)
        token = await self.tokens.access_token(oauth)
        try:
            return await call(oauth, token)
        except ProviderError as exc:
            if not is_rejection(exc):
                raise
        token = await self.tokens.access_token(oauth, rejected=token)
        return await call(oauth, token)

    async def validate(self, credential: Credential | None) -> ValidationResult:
        try:
            await self.with_token(credential, self.check_token)
        except ProviderError as exc:
            return validation_result(exc, self.display_name)
        return ValidationResult("valid", f"{self.display_name} accepted this login.")

    async def list_models(self, credential: Credential | None) -> list[ModelInfo]:
        return await self.with_token(credential, self.list_models_with_token)

    async def stream_events(
        self, request: ChatRequest, credential: Credential | None
    ) -> AsyncGenerator[StreamEvent, None]:
        # The 401 retry of `with_token`, for a stream: only a rejection before anything was
        # shown may be retried, because a retried answer must not repeat text.
        oauth = self.oauth(credential)
        token = await self.tokens.access_token(oauth)
        started = False
        try:
            async with aclosing(self.stream_with_token(request, oauth, token)) as events:
                async for event in events:
                    if not started and isinstance(event, ErrorEvent) and is_rejection(event.error):
                        raise event.error
                    started = True
                    yield event
            return
        except ProviderError as exc:
            if started or not is_rejection(exc):
                raise
        token = await self.tokens.access_token(oauth, rejected=token)
        async with aclosing(self.stream_with_token(request, oauth, token)) as events:
            async for event in events:
                yield event


class BearerApiProvider(CredentialFileProvider):
    """A login whose API is an API-key provider's, called with the access token as the key.

    Claude Code speaks the Anthropic adapter's wire and Qwen Code the OpenAI-chat one; only
    how the token becomes a credential (`bearer`) differs.
    """

    api_class: ClassVar[type[Provider]]

    def __init__(self, config: AdapterConfig | None = None) -> None:
        super().__init__(config)
        self.api = self.api_class(self.config)

    @abstractmethod
    def bearer(self, credential: OAuthCredential, token: str) -> ApiKeyCredential:
        """The API-key credential the wrapped provider is called with."""

    def models(self) -> list[ModelInfo]:
        return self.api.models()

    def stream_with_token(
        self, request: ChatRequest, credential: OAuthCredential, token: str
    ) -> AsyncGenerator[StreamEvent, None]:
        # The wrapped provider's full stream: its error map already holds the token as secret.
        return self.api.stream(request, self.bearer(credential, token))

    async def list_models_with_token(
        self, credential: OAuthCredential, token: str
    ) -> list[ModelInfo]:
        return await self.api.list_models(self.bearer(credential, token))
