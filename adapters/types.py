"""The canonical vocabulary every provider adapter speaks.

The app stores and switches conversations in these shapes only; each adapter translates them to
its wire format and back. Everything is a frozen dataclass so a history can be shared between
concurrent compare lanes without one lane mutating another's view.
"""

from __future__ import annotations

import hashlib
import hmac
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol, TypeAlias

if TYPE_CHECKING:
    from adapters.errors import ProviderError

Role = Literal["system", "user", "assistant", "tool"]
FinishReason = Literal["stop", "length", "tool_calls", "content_filter", "error", "cancelled"]
CredentialKind = Literal["api_key", "oauth_credentials", "none"]
ValidationStatus = Literal["valid", "invalid", "rate_limited", "quota", "unreachable", "error"]


# --- conversation parts -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """Plain text written by a person or a model."""

    text: str


@dataclass(frozen=True, slots=True)
class Image:
    """Raw image bytes; translators base64-encode them in whatever shape the wire wants."""

    media_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A model's request to run a tool; `id` pairs it with the later `ToolResult`."""

    id: str
    name: str
    arguments: dict[str, object]


@dataclass(frozen=True, slots=True)
class ToolResult:
    """What a tool returned; travels in a role "tool" message."""

    call_id: str
    name: str
    content: str
    is_error: bool = False


@dataclass(frozen=True, slots=True)
class Reasoning:
    """A model's visible thinking.

    `signature` and `provider` let the producing provider verify it on a later turn; any other
    provider never receives it (it would be rejected or, worse, trusted).
    """

    text: str
    signature: str | None = None
    provider: str | None = None


Part: TypeAlias = Text | Image | ToolCall | ToolResult | Reasoning


@dataclass(frozen=True, slots=True)
class Message:
    """One turn of the canonical history."""

    role: Role
    parts: tuple[Part, ...]

    def text(self) -> str:
        """The concatenated text parts, for logs, estimates and degraded translations."""
        return "".join(p.text for p in self.parts if isinstance(p, Text))


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A tool the model may call; `parameters` is a JSON Schema object."""

    name: str
    description: str
    parameters: dict[str, object]


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """One model call. `model` is the provider-local id (``gpt-4o``, not ``openai/gpt-4o``).

    A system prompt is a role "system" message at the start of `messages`. The sampling
    parameters (`temperature`, `top_p`) reach only providers that list them in
    `Provider.sampling_parameters`; the others report them as ignored, never drop them silently.
    """

    model: str
    messages: tuple[Message, ...]
    tools: tuple[ToolSpec, ...] = ()
    max_output_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None

    def sampling(self) -> dict[str, float]:
        """The sampling parameters this request sets, by their canonical name."""
        values = {"temperature": self.temperature, "top_p": self.top_p}
        return {name: value for name, value in values.items() if value is not None}


# --- stream events ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of the answer text."""

    text: str


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    """A piece of the model's thinking (shown folded in the UI, never billed differently)."""

    text: str


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """A piece of a tool call; `index` groups pieces, `id`/`name` arrive once, arguments stream."""

    index: int
    id: str | None
    name: str | None
    arguments_delta: str


@dataclass(frozen=True, slots=True)
class ReasoningSignature:
    """The provider's signature over the reasoning just streamed, kept to send it back later."""

    signature: str
    provider: str


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts as the provider reports them; `cached_tokens` is part of `input_tokens`."""

    input_tokens: int
    output_tokens: int
    cached_tokens: int = 0


@dataclass(frozen=True, slots=True)
class Finish:
    """Always the last event of a stream."""

    reason: FinishReason


@dataclass(frozen=True, slots=True)
class ErrorEvent:
    """A normalized provider error; streams yield it (then `Finish("error")`) instead of raising."""

    error: ProviderError


StreamEvent: TypeAlias = (
    TextDelta | ReasoningDelta | ReasoningSignature | ToolCallDelta | Usage | Finish | ErrorEvent
)


# --- catalogue ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """A model as the catalogue shows it; prices are USD per million tokens, None = unknown."""

    provider: str
    id: str
    display_name: str
    context_window: int
    max_output: int
    modalities: tuple[str, ...] = ("text",)
    input_price_per_mtok: float | None = None
    output_price_per_mtok: float | None = None

    @property
    def ref(self) -> str:
        """The app-wide model id, ``provider/id``."""
        return f"{self.provider}/{self.id}"


# --- credentials --------------------------------------------------------------------------------


class Secret:
    """A string that refuses to be printed.

    repr/str/format show only the fingerprint, so a secret that slips into a log line, a
    traceback's locals or an f-string leaks nothing usable. Call `reveal()` at the one place the
    SDK needs it.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("Secret wraps a str")
        self._value = value

    def reveal(self) -> str:
        """The raw value; pass it straight to an SDK, never to a log."""
        return self._value

    def fingerprint(self) -> str:
        """A short hint a person can match against their key (``sk-...a1b2``).

        At most the first 3 and last 4 characters of a long key; a short secret shows at most its
        last 2 characters, so the hint never gives away a meaningful share of the key.
        """
        return fingerprint(self._value)

    def __repr__(self) -> str:
        return f"Secret({self.fingerprint()!r})"

    def __str__(self) -> str:
        return self.fingerprint()

    def __format__(self, spec: str) -> str:
        return format(self.fingerprint(), spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(hashlib.sha256(self._value.encode()).digest())

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("Secret cannot be pickled")

    def __len__(self) -> int:
        return len(self._value)


def fingerprint(value: str) -> str:
    """Mask a secret down to a recognisable hint; see `Secret.fingerprint`."""
    if len(value) >= 16:
        return f"{value[:3]}...{value[-4:]}"
    if len(value) >= 8:
        return f"...{value[-2:]}"
    return "..."


@dataclass(frozen=True, slots=True)
class ApiKeyCredential:
    """An API key, optionally with the base URL it belongs to (OpenAI-compatible servers)."""

    secret: Secret
    base_url: str | None = None

    @property
    def kind(self) -> CredentialKind:
        return "api_key"


class OAuthTokenStore(Protocol):
    """Where an OAuth credential lives; the app implements it over Vault + a PostgreSQL lock.

    A refresh runs as: ``async with await store.lock(): data = await store.load(); ...;
    await store.save(new_data)`` so a rotating refresh token is used exactly once across
    every replica.
    """

    async def lock(self) -> AbstractAsyncContextManager[None]:
        """A cross-process single-flight lock for this credential."""
        ...

    async def load(self) -> dict[str, object]:
        """Re-read the stored credential (call inside the lock: another replica may have won)."""
        ...

    async def save(self, data: dict[str, object]) -> None:
        """Write rotated tokens back (check-and-set) before the new access token is used."""
        ...

    async def mark_expired(self) -> None:
        """The login is dead (e.g. ``invalid_grant``): the owner must paste a fresh file."""
        ...


@dataclass(frozen=True, slots=True)
class OAuthCredential:
    """A vendor CLI's credential file, parsed; `data` holds live tokens and is never printed."""

    data: dict[str, object] = field(repr=False, hash=False)
    store: OAuthTokenStore | None = field(default=None, repr=False, compare=False, hash=False)

    @property
    def kind(self) -> CredentialKind:
        return "oauth_credentials"

    def __repr__(self) -> str:
        return f"OAuthCredential(fields={sorted(self.data)!r})"

    def __str__(self) -> str:
        return self.__repr__()


Credential: TypeAlias = ApiKeyCredential | OAuthCredential


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """The outcome of a key check; `message` is a sentence shown to a person, never the key."""

    status: ValidationStatus
    message: str

    @property
    def ok(self) -> bool:
        return self.status == "valid"
