"""The `Provider` base class: what a plugin implements to serve models.

Like an llm model class, capabilities are class attributes the app reads without calling the
network; only `validate`, `list_models` and `stream` talk to the provider.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from typing import ClassVar

from adapters.config import AdapterConfig
from adapters.types import (
    ChatRequest,
    Credential,
    CredentialKind,
    ModelInfo,
    StreamEvent,
    ValidationResult,
)


class Provider(ABC):
    """One AI provider.

    Contract for `stream`: it never raises a provider failure. It yields events and ends with
    exactly one `Finish`; a failure is `ErrorEvent(error)` then `Finish("error")`, and a
    connection failure is a `ProviderUnavailable`. Cancellation (the caller closing the
    generator) propagates normally.
    """

    id: ClassVar[str]
    display_name: ClassVar[str]
    credential_kinds: ClassVar[tuple[CredentialKind, ...]]
    description: ClassVar[str] = ""
    requires_operator_opt_in: ClassVar[bool] = False
    # True when the provider runs whatever model name it is given (OpenAI-compatible servers);
    # unknown models then resolve with unknown prices instead of being refused.
    serves_any_model: ClassVar[bool] = False
    default_context_window: ClassVar[int] = 8_192
    default_max_output: ClassVar[int] = 4_096

    def __init__(self, config: AdapterConfig | None = None) -> None:
        self.config = config or AdapterConfig()

    @abstractmethod
    def models(self) -> list[ModelInfo]:
        """The static catalogue: ids, windows, modalities and public prices. No I/O."""

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

    @abstractmethod
    async def validate(self, credential: Credential | None) -> ValidationResult:
        """Check a credential with the cheapest call; never raises, never echoes the key."""

    @abstractmethod
    async def list_models(self, credential: Credential | None) -> list[ModelInfo]:
        """The models this credential can use, enriched from the static catalogue.

        Raises a `ProviderError` subclass on failure.
        """

    @abstractmethod
    def stream(
        self, request: ChatRequest, credential: Credential | None
    ) -> AsyncIterator[StreamEvent]:
        """Run one chat call and yield canonical events (see the class contract)."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} id={self.id!r}>"
