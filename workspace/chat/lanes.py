"""One lane: one model answering the user message, from its call to its stored answer.

:func:`run_lane` reads in three steps: **open** (``message.start`` and the notices, or the
lane's refusal), **forward** (the provider's events as stream events, the text
checkpointed as it grows) and **store** (the answer's final state, whatever happened, on a fresh
session shielded from cancellation). What the lane produced is one :class:`LaneOutcome`; the
:class:`Lane` itself never changes.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from anyio import CancelScope

from adapters import (
    ErrorEvent,
    Message,
    ModelInfo,
    ReasoningDelta,
    ReasoningSignature,
    TextDelta,
    Usage,
)
from workspace.calls.gateway import ModelCall
from workspace.calls.request import CallRequest, FallbackNotice, RequestKey
from workspace.chat import durable
from workspace.chat.events import (
    NO_OWN_KEY,
    NO_OWN_KEY_REASON,
    ContextTrimmed,
    Delta,
    Fallback,
    MessageStart,
    StreamEvent,
    error,
    usage_report,
)
from workspace.chat.outcome import LaneOutcome
from workspace.db.writes import Write
from workspace.errors import AppError, is_database_unavailable
from workspace.runtime import Runtime
from workspace.teams.guards import Member

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StreamContext:
    """What every lane of one request shares."""

    runtime: Runtime
    member: Member
    conversation_id: uuid.UUID
    parent_id: uuid.UUID
    title: str = ""
    idempotency_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Lane:
    """One model answering the user message. Every lane is started (and its answer opened) in
    the request's unit of work, before the stream: ``call`` is its call, or ``refused`` says why
    it has none (a compare goes on with its other lanes)."""

    model_ref: str
    model: ModelInfo
    messages: tuple[Message, ...]
    turns_dropped: int = 0
    messages_dropped: int = 0
    max_output_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    lane: int | None = None
    compare_id: uuid.UUID | None = None
    blind: bool = False
    make_current: bool = True
    call: ModelCall | None = None
    refused: AppError | None = None
    message_id: uuid.UUID = field(default_factory=uuid.uuid4)

    def request(
        self,
        member: Member,
        conversation_id: uuid.UUID,
        request_key: RequestKey | None,
        idempotency_key: str | None,
    ) -> CallRequest:
        return CallRequest(
            member,
            self.model_ref,
            self.messages,
            conversation_id=conversation_id,
            request_key=request_key,
            idempotency_key=idempotency_key,
            max_output_tokens=self.max_output_tokens,
            temperature=self.temperature,
            top_p=self.top_p,
        )

    def slot(self, ctx: StreamContext) -> durable.Slot:
        return durable.Slot(
            self.message_id,
            ctx.conversation_id,
            ctx.parent_id,
            self.model.provider,
            self.model_ref,
            self.compare_id,
            self.lane,
            self.make_current,
        )


Emit = Callable[[StreamEvent], None]


async def run_lane(ctx: StreamContext, lane: Lane, emit: Emit) -> None:
    """Call the model, forward its events, keep the answer durable (whatever happens)."""
    outcome = LaneOutcome(lane.call, refused=lane.refused)
    try:
        call = await _open(ctx, lane, outcome, emit)
        if call is not None:
            _store_when_accounted(call, lane, outcome)
            await _forward(ctx, lane, call, outcome, emit)
    except asyncio.CancelledError:
        outcome.cancelled = True
        raise
    finally:
        with CancelScope(shield=True):
            await _store(ctx, lane, outcome)
        ctx.runtime.leases.discard(lane.message_id)  # no longer renewed: the sweep takes over
    emit(outcome.end(lane.message_id, lane.lane))


async def _open(
    ctx: StreamContext, lane: Lane, outcome: LaneOutcome, emit: Emit
) -> ModelCall | None:
    """Say who answers and on whose key. No call when it was refused (the refusal is the
    lane's ``error``)."""
    call = outcome.call
    emit(
        MessageStart(
            conversation_id=str(ctx.conversation_id),
            message_id=str(lane.message_id),
            parent_id=str(ctx.parent_id),
            model=None if lane.blind else lane.model_ref,
            provider=None if lane.blind else lane.model.provider,
            key_source=call.key_source if call else None,
            compare_id=str(lane.compare_id) if lane.compare_id else None,
            title=ctx.title,
            ignored_parameters=call.ignored_parameters() if call and not lane.blind else (),
            lane=lane.lane,
        )
    )
    if outcome.refused is not None:
        emit(error(outcome.refused.code, outcome.refused.detail, lane.lane))
        return None
    if call is not None and call.key_source == "platform" and call.fallback is None:
        # No own key for this provider: say that credits pay, before the first word.
        emit(_fallback(call, lane, NO_OWN_KEY, NO_OWN_KEY_REASON))
    if lane.turns_dropped:
        emit(
            ContextTrimmed(
                turns_dropped=lane.turns_dropped,
                messages_dropped=lane.messages_dropped,
                lane=lane.lane,
            )
        )
    return call


async def _forward(
    ctx: StreamContext, lane: Lane, call: ModelCall, outcome: LaneOutcome, emit: Emit
) -> None:
    """The provider's events as stream events; the text is checkpointed every few seconds."""
    every, saved_at = ctx.runtime.settings.stream_checkpoint_s, time.monotonic()
    async for event in call.events():
        if isinstance(event, ReasoningDelta):
            outcome.reasoning.append(event.text)
        elif isinstance(event, ReasoningSignature):
            outcome.signature = event
        elif isinstance(event, TextDelta):
            emit(Delta(text=event.text, lane=lane.lane))
            if time.monotonic() - saved_at >= every:
                await durable.checkpoint(ctx.runtime, lane.message_id, call.outcome.text)
                saved_at = time.monotonic()
        elif isinstance(event, Usage):
            emit(usage_report(event, lane.lane))
        elif isinstance(event, ErrorEvent):
            emit(error(event.error.code, event.error.message, lane.lane))
        elif isinstance(event, FallbackNotice):
            emit(_fallback(call, lane, event.from_source, event.reason))


def _fallback(call: ModelCall, lane: Lane, from_source: str, reason: str) -> Fallback:
    """The platform key serves (``call.key_source``), charged in credits."""
    return Fallback(
        from_source=from_source, key_source=call.key_source, reason=reason, lane=lane.lane
    )


def _store_when_accounted(call: ModelCall, lane: Lane, outcome: LaneOutcome) -> None:
    """A stream read to its end stores its answer with the writes that account the call (the
    live call's end that :func:`durable.open_answers` hooked there comes along)."""
    ended = call.accounted_writes

    def writes() -> list[Write]:
        out = list(ended()) if ended is not None else []
        if call.outcome.read_to_end:
            out.append(durable.answer_state(lane.message_id, outcome.stored_fields()))
            outcome.stored_when_accounted = True
        return out

    call.accounted_writes = writes


async def _store(ctx: StreamContext, lane: Lane, outcome: LaneOutcome) -> None:
    if outcome.stored_when_accounted and outcome.result and outcome.result.accounted:
        return  # committed with the usage and the charge
    try:
        opened = outcome.call is not None  # its streaming message and lease were written
        await durable.close_answer(ctx.runtime, lane.slot(ctx), opened, outcome.stored_fields())
    except Exception:
        # The checkpointed text and the live-call lease let the sweep finish this answer.
        log.exception("could not store the answer of %s", lane.model_ref)


DATABASE_GONE = (
    "The database went away while answering: the text saved so far is kept, and the answer is "
    "closed once the database is back."
)


def failure(lane: Lane, exc: Exception) -> tuple[StreamEvent, StreamEvent]:
    """The ``error`` and ``message.end`` of a lane that broke off (its answer is already stored,
    or left to the sweep)."""
    if is_database_unavailable(exc):
        log.warning("database unavailable while answering with %s", lane.model_ref)
        code, sentence = "database_unavailable", DATABASE_GONE
    else:
        log.exception("lane %s failed", lane.model_ref)
        code, sentence = "internal_error", "The answer could not be finished."
    # An outcome without a call ends as an error with nothing reported: the stored answer (or the
    # sweep) holds what the call did.
    return error(code, sentence, lane.lane), LaneOutcome(None).end(lane.message_id, lane.lane)
