"""The `Provider` base class: what a plugin implements to serve models.

Like an llm model class, capabilities are class attributes the app reads without calling the
network; only `validate`, `list_models` and `stream` talk to the provider.

A plugin writes `stream_events`, the plain generator of one call: it yields canonical events,
may raise whatever its SDK raises, and ends with a `Finish` when the provider said why it
stopped. `stream`, which the app calls, is written once here and keeps the contract for every
provider: it never raises a provider failure (`error` turns the exception into `ErrorEvent`
then `Finish("error")`), it ends with exactly one `Finish` (an answer that stops without one
is a `ProviderUnavailable`), and cancellation (the caller closing the generator) propagates.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import ClassVar

from adapters.config import AdapterConfig
from adapters.errormap import unreachable
from adapters.errors import ProviderError, ProviderUnavailable
from adapters.types import (
    ApiKeyCredential,
    ChatRequest,
    Credential,
    CredentialKind,
    ErrorEvent,
    Finish,
    ModelInfo,
    StreamEvent,
    ValidationResult,
)

logger = logging.getLogger(__name__)


class Provider(ABC):
    """One AI provider: capabilities, a catalogue, and three calls."""

    id: ClassVar[str]
    display_name: ClassVar[str]
    credential_kinds: ClassVar[tuple[CredentialKind, ...]]
    description: ClassVar[str] = ""
    requires_operator_opt_in: ClassVar[bool] = False
    # True when the provider runs whatever model name it is given (OpenAI-compatible servers);
    # unknown models then resolve with unknown prices instead of being refused.
    serves_any_model: ClassVar[bool] = False
    # True when an API-key credential must say where the server is (a user-run endpoint); only
    # such credentials take a base URL, and it passes `vet_base_url` before it is stored.
    needs_base_url: ClassVar[bool] = False
    default_context_window: ClassVar[int] = 8_192
    default_max_output: ClassVar[int] = 4_096
    # What the catalogue's models accept as input, unless an entry says otherwise.
    modalities: ClassVar[tuple[str, ...]] = ("text",)
    # Exceptions a failed call is expected to raise (the SDK's own, its transport's): `stream`
    # turns them into errors quietly; anything else is also logged, as it may be a bug.
    expected_errors: ClassVar[tuple[type[Exception], ...]] = ()
    # The canonical sampling parameters (`ChatRequest.sampling`) the wire carries; a request's
    # others are not sent, and `ignored_parameters` names them so the answer can say so.
    sampling_parameters: ClassVar[frozenset[str]] = frozenset({"temperature", "top_p"})

    def __init__(self, config: AdapterConfig | None = None) -> None:
        self.config = config or AdapterConfig()

    @abstractmethod
    def models(self) -> list[ModelInfo]:
        """The static catalogue: ids, windows, modalities and public prices. No I/O."""

    def entry(
        self, model_id: str, name: str, *, window: int, out: int, price: tuple[float, float]
    ) -> ModelInfo:
        """A catalogue entry; `price` is (input, output) in USD per million tokens."""
        return ModelInfo(
            provider=self.id,
            id=model_id,
            display_name=name,
            context_window=window,
            max_output=out,
            modalities=self.modalities,
            input_price_per_mtok=price[0],
            output_price_per_mtok=price[1],
        )

    def model(self, model_id: str) -> ModelInfo | None:
        """The catalogue entry for `model_id`, or an unknown-price entry if any model is served."""
        for info in self.models():
            if info.id == model_id:
                return info
        if self.serves_any_model:
            return ModelInfo(
                provider=self.id,
                id=model_id,
                display_name=model_id,
                context_window=self.default_context_window,
                max_output=self.default_max_output,
            )
        return None

    def ignored_parameters(self, request: ChatRequest) -> tuple[str, ...]:
        """The sampling parameters `request` sets that this provider does not send."""
        return tuple(n for n in request.sampling() if n not in self.sampling_parameters)

    @abstractmethod
    async def validate(self, credential: Credential | None) -> ValidationResult:
        """Check a credential with the cheapest call; never raises, never echoes the key."""

    @abstractmethod
    async def list_models(self, credential: Credential | None) -> list[ModelInfo]:
        """The models this credential can use, enriched from the static catalogue.

        Raises a `ProviderError` subclass on failure.
        """

    @abstractmethod
    def stream_events(
        self, request: ChatRequest, credential: Credential | None
    ) -> AsyncGenerator[StreamEvent, None]:
        """One chat call's events, ending with `Finish` when the provider said why it stopped.

        May raise: `stream` maps the exception with `error`.
        """

    async def stream(
        self, request: ChatRequest, credential: Credential | None
    ) -> AsyncGenerator[StreamEvent, None]:
        """Run one chat call: canonical events, exactly one `Finish` last, failures as events."""
        failed = False
        try:
            async with aclosing(self.stream_events(request, credential)) as events:
                async for event in events:
                    yield event
                    if isinstance(event, Finish):
                        return
                    failed = failed or isinstance(event, ErrorEvent)
        except Exception as exc:
            if not isinstance(exc, (ProviderError, *self.expected_errors)):
                logger.warning("%s stream failed: %s", self.id, type(exc).__name__)
            yield ErrorEvent(self.error(exc, credential))
            yield Finish("error")
            return
        if not failed:
            yield ErrorEvent(
                ProviderUnavailable(
                    f"{self.display_name} ended the answer before it was finished.",
                    provider=self.id,
                )
            )
        yield Finish("error")

    def error(self, exc: Exception, credential: Credential | None) -> ProviderError:
        """The normalized error for what a call raised; adapters map their SDK's exceptions."""
        if isinstance(exc, ProviderError):
            return exc
        secrets = self.secrets(credential)
        if isinstance(exc, TimeoutError):
            return unreachable(self.id, self.display_name, timeout=True, secrets=secrets)
        if isinstance(exc, OSError):
            return unreachable(self.id, self.display_name, secrets=secrets)
        return ProviderUnavailable(
            f"{self.display_name} sent a response that could not be read ({type(exc).__name__}).",
            provider=self.id,
            secrets=secrets,
        )

    def secrets(self, credential: Credential | None) -> tuple[str, ...]:
        """What must never appear in an error message about a call with this credential."""
        if isinstance(credential, ApiKeyCredential):
            return (credential.secret.reveal(),)
        return ()

    async def vet_base_url(self, base_url: str) -> None:
        """Raise `UnsafeBaseURL` if calls must not go to this user-given base URL.

        Only providers that `needs_base_url` take one; they override this with the SSRF guard.
        """
        return

    def __repr__(self) -> str:
        return f"<{type(self).__name__} id={self.id!r}>"
