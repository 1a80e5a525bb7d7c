"""One model call, end to end: policy, key resolution, budgets, the adapter stream, usage, charge.

Chat and compare call :func:`start_call` and iterate :meth:`ModelCall.events`. Everything that
decides *whose key* and *who pays* happens here, before the first byte is streamed; usage and the
credit charge are written once the stream ends, whether it finished, failed or was cancelled
(then only what was generated is charged).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal

from adapters.provider import Provider
from adapters.types import (
    ApiKeyCredential,
    ChatRequest,
    Message,
    ModelInfo,
    Secret,
    StreamEvent,
    TextDelta,
    Usage,
)

from workspace.runtime import Runtime
from workspace.teams.guards import Member

KeySource = Literal["request", "personal", "workspace", "platform"]


@dataclass(frozen=True)
class RequestKey:
    """A key sent with one request (``X-Provider`` / ``X-Provider-Key``); never stored."""

    provider: str
    secret: Secret


@dataclass(frozen=True)
class Fallback:
    """The BYOK key failed and policy allowed the platform key instead (charged, shown)."""

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


@dataclass
class ModelCall:
    """A resolved call: which model, whose key; iterate :meth:`events` exactly once."""

    runtime: Runtime
    request: CallRequest
    provider: Provider
    model: ModelInfo
    key_source: KeySource
    credential: ApiKeyCredential
    fallback: Fallback | None = None
    outcome: CallOutcome = field(default_factory=CallOutcome)

    async def events(self) -> AsyncIterator[StreamEvent]:
        started = time.monotonic()
        chat = ChatRequest(
            model=self.model.id,
            messages=self.request.messages,
            max_output_tokens=self.request.max_output_tokens,
        )
        try:
            async for event in self.provider.stream(chat, self.credential):
                if isinstance(event, TextDelta):
                    if self.outcome.first_token_ms is None:
                        self.outcome.first_token_ms = int((time.monotonic() - started) * 1000)
                    self.outcome.text += event.text
                elif isinstance(event, Usage):
                    self.outcome.usage = event
                yield event
        finally:
            self.outcome.latency_ms = int((time.monotonic() - started) * 1000)


async def start_call(runtime: Runtime, request: CallRequest) -> ModelCall:
    """Resolve model and key, check policy and budgets; raise an AppError before streaming.

    First version: the per-request key, else a fixed simulator key. Key resolution, policy,
    budgets, usage and credits arrive with the keys/billing work (issue 4).
    """
    provider, model = runtime.registry.resolve_model(request.model_ref)
    if request.request_key is not None:
        return ModelCall(
            runtime, request, provider, model, "request", ApiKeyCredential(request.request_key.secret)
        )
    return ModelCall(runtime, request, provider, model, "workspace", ApiKeyCredential(Secret("sim-demo-key")))
