"""What the three credential-file providers share: token handling and the one 401 retry.

A subclass says how to read its file (`parse_credentials`), how its tokens refresh (`spec`)
and how to call its API with a bearer token; this class makes sure every call uses a fresh
token and that an API 401 leads to exactly one forced refresh and one retry.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from typing import ClassVar, TypeVar

from adapters.config import AdapterConfig
from adapters.errors import InvalidCredentials, ProviderError
from adapters.oauth.refresh import TokenManager, TokenSpec
from adapters.provider import Provider
from adapters.types import (
    ChatRequest,
    Credential,
    CredentialKind,
    ErrorEvent,
    Finish,
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

    def __init__(self, config: AdapterConfig | None = None) -> None:
        super().__init__(config)
        self.tokens = TokenManager(self.token_spec(), self.config)

    @abstractmethod
    def token_spec(self) -> TokenSpec:
        """How this vendor's file holds tokens and how they refresh."""

    @abstractmethod
    def parse_credentials(self, text: str) -> dict[str, object]:
        """The pasted file as a dict; `InvalidCredentialFile` names a missing or bad field."""

    @abstractmethod
    def stream_with_token(
        self, request: ChatRequest, credential: OAuthCredential, token: str
    ) -> AsyncGenerator[StreamEvent, None]:
        """One chat call with this access token (the `Provider.stream` contract)."""

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
        return self.tokens.spec.refresh_token(data)

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

    async def stream(
        self, request: ChatRequest, credential: Credential | None
    ) -> AsyncIterator[StreamEvent]:
        try:
            oauth = self.oauth(credential)
            token = await self.tokens.access_token(oauth)
        except ProviderError as exc:
            yield ErrorEvent(exc)
            yield Finish("error")
            return
        for attempt in (1, 2):
            rejected = False
            started = False
            async with aclosing(self.stream_with_token(request, oauth, token)) as events:
                async for event in events:
                    if (
                        attempt == 1
                        and not started
                        and isinstance(event, ErrorEvent)
                        and is_rejection(event.error)
                    ):
                        rejected = True
                        break
                    started = True
                    yield event
            if not rejected:
                return
            try:
                token = await self.tokens.access_token(oauth, rejected=token)
            except ProviderError as exc:
                yield ErrorEvent(exc)
                yield Finish("error")
                return
