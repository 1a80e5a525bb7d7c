"""Model answers as Server-Sent Events: one lane per model call, multiplexed onto one stream.

A single message is a stream with one lane; a compare has several, each tagged with ``lane``.
Every lane runs in its own task and feeds one queue, so a slow or failing lane never holds up
another, and the response sends each chunk the moment it arrives (nothing is buffered).

Events (``data`` is JSON; compare events also carry ``lane``):

* ``message.start`` ``{conversation_id, message_id, parent_id, model, provider, key_source,
  compare_id, title}`` (``model``/``provider`` are null in blind compares; ``title`` is the
  conversation's, which the first message sets)
* ``context.trimmed`` ``{turns_dropped, messages_dropped}``
* ``fallback`` ``{from_source, key_source, reason}``: the platform key serves, charged in credits,
  because an own key failed (``from_source`` names it) or because there is none
  (``from_source: "none"``, ``reason: "no_own_key"``)
* ``delta`` ``{text}``
* ``usage`` ``{input_tokens, output_tokens, cached_tokens}``
* ``error`` ``{code, message, detail}``
* ``message.end`` ``{message_id, status, finish_reason, usage, credits, cost_usd_micros,
  latency_ms, first_token_ms}``

While nothing has been sent for ``SWITCHBOARD_SSE_KEEPALIVE_S`` seconds (a slow first token), a
``: keep-alive`` comment keeps proxies from closing the connection.

A client that goes away cancels the stream: every lane's task is cancelled, which closes the
provider's HTTP response, and each lane stores what it had as an ``incomplete`` message. Storing
happens in ``finally`` on a fresh session, shielded from the cancellation.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

import msgspec
from anyio import CancelScope
from litestar.response import ServerSentEventMessage

from adapters.types import (
    ErrorEvent,
    Message,
    ModelInfo,
    Reasoning,
    ReasoningDelta,
    ReasoningSignature,
    Text,
    TextDelta,
    Usage,
)
from workspace.calls.gateway import CallRequest, FallbackNotice, ModelCall, RequestKey, start_call
from workspace.chat import durable
from workspace.chat.models import ChatMessage
from workspace.chat.parts import dump_parts, storable
from workspace.db.columns import utcnow
from workspace.errors import AppError, is_database_unavailable
from workspace.runtime import Runtime
from workspace.teams.guards import Member

log = logging.getLogger(__name__)

"""Seconds of silence before a keep-alive comment (to become ``Settings.sse_keepalive_s``)."""


def keepalive_seconds(runtime: Runtime) -> float:
    return runtime.settings.sse_keepalive_s


def sse(event: str, payload: dict[str, object]) -> ServerSentEventMessage:
    return ServerSentEventMessage(data=msgspec.json.encode(payload).decode(), event=event)


KEEPALIVE_MESSAGE: Final = ServerSentEventMessage(data=None, comment="keep-alive")
NO_OWN_KEY: Final = {"from_source": "none", "reason": "no_own_key"}
"""The ``fallback`` event (and stored notice) of a platform-paid call that had no own key."""
DATABASE_GONE: Final = (
    "The database went away while answering: the text saved so far is kept, and the answer is "
    "closed once the database is back."
)


@dataclass(frozen=True)
class StreamContext:
    """What every lane of one request shares."""

    runtime: Runtime
    member: Member
    conversation_id: uuid.UUID
    parent_id: uuid.UUID
    request_key: RequestKey | None = None
    idempotency_key: str | None = None
    title: str = ""
    idempotency_id: uuid.UUID | None = None


@dataclass
class Lane:
    """One model answering the user message; ``call`` is set when it was started up front."""

    model_ref: str
    model: ModelInfo
    messages: tuple[Message, ...]
    turns_dropped: int = 0
    messages_dropped: int = 0
    max_output_tokens: int | None = None
    lane: int | None = None
    compare_id: uuid.UUID | None = None
    blind: bool = False
    make_current: bool = True
    call: ModelCall | None = None
    message_id: uuid.UUID = field(default_factory=uuid.uuid4)
    status: str = "incomplete"
    # Its streaming message and lease are written (with the call's hold, in one transaction).
    opened: bool = False

    def payload(self, **fields: object) -> dict[str, object]:
        if self.lane is not None:
            fields["lane"] = self.lane
        return fields

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


Emit = Callable[[ServerSentEventMessage], None]


def _usage(usage: Usage | None) -> dict[str, int] | None:
    if usage is None:
        return None
    return {
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "cached_tokens": usage.cached_tokens,
    }


def _error(lane: Lane, code: str, message: str) -> ServerSentEventMessage:
    return sse("error", lane.payload(code=code, message=message, detail=message))


async def _start_lane(ctx: StreamContext, lane: Lane, request: CallRequest) -> ModelCall:
    """A lane started inside the stream (compare): its call checks, credit hold, streaming
    message and lease are committed together, so no hold exists without its lease."""
    async with ctx.runtime.sessionmaker() as session:
        call = await start_call(ctx.runtime, request, session)
        await durable.open_answer(
            session,
            ctx.runtime,
            ctx.member,
            lane.slot(ctx),
            call,
            lane.messages,
            ctx.idempotency_id,
        )
        await session.commit()
    lane.opened = True
    return call


async def run_lane(ctx: StreamContext, lane: Lane, emit: Emit) -> None:
    """Call the model, forward its events, keep the answer durable (whatever happens)."""
    call = lane.call
    reasoning: list[str] = []
    signature: ReasoningSignature | None = None
    refused: AppError | None = None
    cancelled = False
    try:
        if call is None:
            lane_key = (
                f"{ctx.idempotency_key}:{lane.lane}" if ctx.idempotency_key is not None else None
            )
            request = CallRequest(
                ctx.member,
                lane.model_ref,
                lane.messages,
                conversation_id=ctx.conversation_id,
                request_key=ctx.request_key,
                idempotency_key=lane_key,
                max_output_tokens=lane.max_output_tokens,
            )
            try:
                call = lane.call = await _start_lane(ctx, lane, request)
            except AppError as exc:
                refused = exc
        emit(
            sse(
                "message.start",
                lane.payload(
                    conversation_id=str(ctx.conversation_id),
                    message_id=str(lane.message_id),
                    parent_id=str(ctx.parent_id),
                    model=None if lane.blind else lane.model_ref,
                    provider=None if lane.blind else lane.model.provider,
                    key_source=call.key_source if call else None,
                    compare_id=str(lane.compare_id) if lane.compare_id else None,
                    title=ctx.title,
                ),
            )
        )
        if refused is not None or call is None:
            if refused is not None:
                emit(_error(lane, refused.code, refused.detail))
            return
        if call.key_source == "platform" and call.fallback is None:
            # No own key for this provider: say that credits pay, before the first word.
            emit(sse("fallback", lane.payload(**NO_OWN_KEY, key_source="platform")))
        if lane.turns_dropped:
            emit(
                sse(
                    "context.trimmed",
                    lane.payload(
                        turns_dropped=lane.turns_dropped, messages_dropped=lane.messages_dropped
                    ),
                )
            )
        every, saved_at = ctx.runtime.settings.stream_checkpoint_s, time.monotonic()
        async for event in call.events():
            if isinstance(event, TextDelta):
                emit(sse("delta", lane.payload(text=event.text)))
                if time.monotonic() - saved_at >= every:
                    await durable.checkpoint(ctx.runtime, lane.message_id, call.outcome.text)
                    saved_at = time.monotonic()
            elif isinstance(event, ReasoningDelta):
                reasoning.append(event.text)
            elif isinstance(event, ReasoningSignature):
                signature = event
            elif isinstance(event, Usage):
                emit(sse("usage", lane.payload(**_usage(event) or {})))
            elif isinstance(event, ErrorEvent):
                emit(_error(lane, event.error.code, event.error.message))
            elif isinstance(event, FallbackNotice):
                emit(
                    sse(
                        "fallback",
                        lane.payload(
                            from_source=event.from_source,
                            key_source=call.key_source,
                            reason=event.reason,
                        ),
                    )
                )
    except asyncio.CancelledError:
        cancelled = True
        raise
    finally:
        with CancelScope(shield=True):
            await _store(ctx, lane, call, refused, cancelled, "".join(reasoning), signature)
        ctx.runtime.leases.discard(lane.message_id)  # no longer renewed: the sweep takes over
    outcome = call.outcome if call else None
    emit(
        sse(
            "message.end",
            lane.payload(
                message_id=str(lane.message_id),
                status=lane.status,
                finish_reason=outcome.finish_reason if outcome else None,
                usage=_usage(outcome.usage) if outcome else None,
                credits=outcome.credits_charged if outcome else 0,
                cost_usd_micros=outcome.cost_usd_micros if outcome else 0,
                latency_ms=outcome.latency_ms if outcome else None,
                first_token_ms=outcome.first_token_ms if outcome else None,
            ),
        )
    )


def _platform_notice(call: ModelCall | None) -> dict[str, object]:
    """Why the platform key served: a failed own key (fallback), or no own key at all."""
    if call is not None and call.fallback is not None:
        return {"fallback_from": call.fallback.from_source, "fallback_reason": call.fallback.reason}
    if call is not None and call.key_source == "platform":
        return {"fallback_from": NO_OWN_KEY["from_source"], "fallback_reason": NO_OWN_KEY["reason"]}
    return {"fallback_from": None, "fallback_reason": None}


async def _store(
    ctx: StreamContext,
    lane: Lane,
    call: ModelCall | None,
    refused: AppError | None,
    cancelled: bool,
    reasoning: str,
    signature: ReasoningSignature | None,
) -> None:
    outcome = call.outcome if call else None
    error_message: str | None = None
    if refused is not None or outcome is None:
        status, error_code = "error", (refused.code if refused else "internal_error")
        error_message = refused.detail if refused else "The answer could not be produced."
    elif outcome.error_code:
        status, error_code = "error", outcome.error_code
        error_message = outcome.error_message
    elif cancelled or not outcome.finish_reason:
        status, error_code = "incomplete", None
    else:
        status, error_code = "complete", None
    lane.status = status
    parts: list[Reasoning | Text] = []
    if reasoning:
        parts.append(
            Reasoning(
                reasoning,
                signature.signature if signature else None,
                signature.provider if signature else None,
            )
        )
    if outcome is not None and outcome.text:
        parts.append(Text(outcome.text))
    usage = outcome.usage if outcome else None
    fields: dict[str, object] = {
        "parts": dump_parts(parts),
        "key_source": call.key_source if call else None,
        "input_tokens": usage.input_tokens if usage else None,
        "output_tokens": usage.output_tokens if usage else None,
        "latency_ms": outcome.latency_ms if outcome else None,
        "first_token_ms": outcome.first_token_ms if outcome else None,
        "finish_reason": ("cancelled" if cancelled else outcome.finish_reason) if outcome else None,
        "status": status,
        "error_code": error_code,
        "error_message": storable(error_message),
        **_platform_notice(call),
        "cost_usd_micros": outcome.cost_usd_micros if outcome else 0,
        "credits_charged": outcome.credits_charged if outcome else 0,
        "checkpoint_at": utcnow(),
    }
    try:
        await durable.close_answer(ctx.runtime, lane.slot(ctx), lane.opened, fields)
    except Exception:
        # The checkpointed text and the live-call lease let the sweep finish this answer.
        log.exception("could not store the answer of %s", lane.model_ref)


@dataclass
class _Clock:
    last_sent: float = field(default_factory=time.monotonic)


async def _keepalive(
    queue: asyncio.Queue[ServerSentEventMessage | None], every: float, clock: _Clock
) -> None:
    while True:
        await asyncio.sleep(max(0.0, clock.last_sent + every - time.monotonic()))
        if time.monotonic() - clock.last_sent >= every:
            clock.last_sent = time.monotonic()
            queue.put_nowait(KEEPALIVE_MESSAGE)


async def multiplex(
    ctx: StreamContext,
    lanes: Sequence[Lane],
    on_done: Callable[[Sequence[Lane]], Awaitable[None]],
) -> AsyncIterator[ServerSentEventMessage]:
    """Run every lane concurrently and yield their events as they come."""
    queue: asyncio.Queue[ServerSentEventMessage | None] = asyncio.Queue()
    clock = _Clock()

    async def lane_task(lane: Lane) -> None:
        try:
            await run_lane(ctx, lane, queue.put_nowait)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if is_database_unavailable(exc):
                log.warning("database unavailable while answering with %s", lane.model_ref)
                code, sentence = "database_unavailable", DATABASE_GONE
            else:
                log.exception("lane %s failed", lane.model_ref)
                code, sentence = "internal_error", "The answer could not be finished."
            queue.put_nowait(_error(lane, code, sentence))
            queue.put_nowait(
                sse("message.end", lane.payload(message_id=str(lane.message_id), status="error"))
            )
        finally:
            queue.put_nowait(None)

    tasks = [asyncio.create_task(lane_task(lane)) for lane in lanes]
    ticker = asyncio.create_task(_keepalive(queue, keepalive_seconds(ctx.runtime), clock))
    remaining = len(tasks)
    try:
        while remaining:
            item = await queue.get()
            if item is None:
                remaining -= 1
                continue
            clock.last_sent = time.monotonic()
            yield item
    finally:
        ticker.cancel()
        with CancelScope(shield=True):
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, ticker, return_exceptions=True)
            try:
                await on_done(lanes)
            except Exception:
                log.exception("could not finish the stream's bookkeeping")


@dataclass(frozen=True)
class Stored:
    """A stored answer, replayed for a retried request."""

    message: ChatMessage
    text: str
    blind: bool = False


async def replay(answers: Sequence[Stored]) -> AsyncIterator[ServerSentEventMessage]:
    """The stored result of an earlier request with the same Idempotency-Key, as events."""
    for answer in answers:
        m = answer.message
        base: dict[str, object] = {} if m.lane is None else {"lane": m.lane}
        yield sse(
            "message.start",
            base
            | {
                "conversation_id": str(m.conversation_id),
                "message_id": str(m.id),
                "parent_id": str(m.parent_id),
                "model": None if answer.blind else m.model,
                "provider": None if answer.blind else m.provider,
                "key_source": m.key_source,
                "compare_id": str(m.compare_id) if m.compare_id else None,
                "replayed": True,
            },
        )
        if answer.text:
            yield sse("delta", base | {"text": answer.text})
        if m.error_code:
            sentence = m.error_message or m.error_code
            yield sse(
                "error", base | {"code": m.error_code, "message": sentence, "detail": sentence}
            )
        usage = (
            {"input_tokens": m.input_tokens, "output_tokens": m.output_tokens, "cached_tokens": 0}
            if m.input_tokens is not None
            else None
        )
        yield sse(
            "message.end",
            base
            | {
                "message_id": str(m.id),
                "status": m.status,
                "finish_reason": m.finish_reason,
                "usage": usage,
                "credits": m.credits_charged,
                "latency_ms": m.latency_ms,
                "first_token_ms": m.first_token_ms,
                "replayed": True,
            },
        )
