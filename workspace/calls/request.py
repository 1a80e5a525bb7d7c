"""What a model call is asked (:class:`CallRequest`, with a request's own key) and what it
produced (:class:`CallOutcome`), apart from the call itself (:mod:`workspace.calls.gateway`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from adapters import Message, Secret, ToolSpec, Usage
from workspace.keys.resolution import KeySource
from workspace.teams.guards import Member


@dataclass(frozen=True)
class RequestKey:
    """A key sent with one request (``X-Provider`` / ``X-Provider-Key``); never stored."""

    provider: str
    secret: Secret

    def secret_for(self, model_ref: str) -> Secret | None:
        """The key, if it is for ``model_ref``'s provider (``provider/model``)."""
        return self.secret if self.provider == model_ref.partition("/")[0] else None


@dataclass(frozen=True)
class FallbackNotice:
    """Yielded by :meth:`ModelCall.events` when a BYOK key failed and the platform key took over."""

    from_source: KeySource
    reason: str


@dataclass(frozen=True)
class CallRequest:
    member: Member
    model_ref: str
    messages: tuple[Message, ...]
    conversation_id: uuid.UUID | None = None
    request_key: RequestKey | None = None
    idempotency_key: str | None = None
    max_output_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    # Tools the caller offers the model (the /v1 gateway passes its clients' tools through).
    tools: tuple[ToolSpec, ...] = ()


@dataclass
class CallOutcome:
    """What the call produced, filled while streaming; read after :meth:`ModelCall.events`."""

    text: str = ""
    usage: Usage | None = None
    finish_reason: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    latency_ms: int | None = None
    first_token_ms: int | None = None
    credits_charged: int = 0
    cost_usd_micros: int = 0
    read_to_end: bool = False  # the stream ended by itself (not cut short by its reader)
    accounted: bool = False  # usage and charge committed
