"""The answers of one request, from their started calls to the request's end.

Every lane's call is started in the request's unit of work (checks, credit hold) and its request
sent at once, so the provider works while the records are written; the answers' ``streaming``
rows and leases then join that unit of work in one statement, committed before the first byte
(or not at all, the sent requests cancelled). When every lane is stored, the request's own end
(a compare done, an idempotent retry's answers) is one autocommitted statement.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.calls.gateway import start_call
from workspace.calls.request import RequestKey
from workspace.chat import durable, idempotency
from workspace.chat.access import ConversationAccess
from workspace.chat.lanes import Lane, StreamContext
from workspace.chat.models import CompareRun
from workspace.chat.streaming import multiplex
from workspace.db.writes import Write, row_update, write_at_once
from workspace.errors import AppError
from workspace.runtime import Runtime


@dataclass(frozen=True)
class Caller:
    """What the HTTP layer hands over besides the body."""

    request_key: RequestKey | None
    idempotency_key: str | None


async def started(
    runtime: Runtime,
    db: AsyncSession,
    access: ConversationAccess,
    caller: Caller,
    lane: Lane,
    *,
    refusable: bool = False,
) -> Lane:
    """The lane with its call started in the request's unit of work (checks and credit hold)
    and its request sent: the provider works while the records are written. A ``refusable``
    lane (one of a compare's) carries its refusal instead of raising it, as its stream's
    ``error``. A compare lane's idempotency key is the request's with the lane's index."""
    key = caller.idempotency_key
    if key is not None and lane.lane is not None:
        key = f"{key}:{lane.lane}"
    request = lane.request(access.member, access.conversation.id, caller.request_key, key)
    try:
        call = await start_call(runtime, request, db)
    except AppError as exc:
        if not refusable:
            raise
        return replace(lane, refused=exc)
    call.send_now()
    return replace(lane, call=call)


@contextmanager
def cancelled_on_failure(lanes: Sequence[Lane]) -> Iterator[None]:
    """The request fails before its stream: end the provider requests its lanes sent."""
    try:
        yield
    except BaseException:
        for lane in lanes:
            if lane.call is not None:
                lane.call.cancel_send()
        raise


async def stream(
    db: AsyncSession,
    ctx: StreamContext,
    lanes: Sequence[Lane],
    *,
    before: Sequence[Write] = (),
    compare_id: uuid.UUID | None = None,
) -> AsyncIterator[bytes]:
    """The lanes' stream. Their streaming messages and leases join the request's unit of work
    (with the holds, the user message and the ``before`` writes) as one statement: all committed
    before the first byte, or none."""
    openings = [
        durable.Opening(lane.slot(ctx), lane.call, lane.messages)
        for lane in lanes
        if lane.call is not None
    ]
    await durable.open_answers(db, ctx.runtime, ctx.member, openings, ctx.idempotency_id, before)
    return multiplex(ctx, lanes, finisher(ctx.runtime, ctx.idempotency_id, compare_id))


def context(
    runtime: Runtime,
    access: ConversationAccess,
    parent_id: uuid.UUID,
    record_id: uuid.UUID | None,
) -> StreamContext:
    return StreamContext(
        runtime,
        access.member,
        access.conversation.id,
        parent_id,
        title=access.conversation.title,
        idempotency_id=record_id,
    )


def finisher(
    runtime: Runtime, record_id: uuid.UUID | None, compare_id: uuid.UUID | None = None
) -> Callable[[Sequence[Lane]], Awaitable[None]]:
    """The request's own end, once every lane is stored: the compare is done and a retry
    replays the answers. One autocommitted statement (or none)."""

    async def finish(lanes: Sequence[Lane]) -> None:
        writes: list[Write] = []
        if compare_id is not None:
            writes.append(row_update(CompareRun, "id", compare_id, {"status": "done"}, "run_"))
        if record_id is not None:
            ids = [lane.message_id for lane in lanes]
            writes.append(idempotency.finished(record_id, ids, compare_id))
        if writes:
            async with runtime.sessionmaker() as session:
                await write_at_once(session, writes)

    return finish
