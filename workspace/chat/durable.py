"""An answer is durable while it streams.

The assistant message is written (status ``streaming``) in the transaction that starts the
model call and takes its credit hold, together with a :class:`~workspace.chat.models.LiveCall`
row leased by this process, and the conversation moves on to it: the request's unit of work,
with the user message (a compare's lanes and its run all in one statement). A crash from
then on leaves a message that can be continued, not a user message without an answer, and no
hold exists without the lease that settles it. The streamed text is checkpointed every
``SWITCHBOARD_STREAM_CHECKPOINT_S``; the live-call row is deleted by the write that
accounts the call (usage event, hold settled), and the message gets its final state in that same
write when the stream was read to its end (after it otherwise, e.g. a client gone).
If the process dies anywhere in between, :mod:`workspace.chat.recovery` finishes the job.

After the start, each function opens its own transaction: streaming is background work.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import Message, Text
from workspace.billing.ledger import Hold
from workspace.billing.usage import estimated_tokens
from workspace.calls.gateway import ModelCall
from workspace.chat.models import ChatMessage, Conversation, LiveCall
from workspace.chat.parts import dump_parts
from workspace.db.columns import utcnow
from workspace.db.writes import (
    Write,
    execute,
    new_row,
    row_delete,
    row_insert,
    row_update,
    table_of,
    write_in_unit,
)
from workspace.runtime import Runtime
from workspace.teams.guards import Member

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Slot:
    """Where one answer goes in the tree, and what it answers with."""

    message_id: uuid.UUID
    conversation_id: uuid.UUID
    parent_id: uuid.UUID
    provider: str
    model_ref: str
    compare_id: uuid.UUID | None
    lane: int | None
    make_current: bool


@functools.cache
def _advance_leaf_statement() -> sa.Update:
    # Only forward from the message answered: the user may have switched branches meanwhile.
    conversations = table_of(Conversation)
    leaf = conversations.c.current_leaf_id
    uuid_type = leaf.type
    return (
        sa.update(conversations)
        .where(conversations.c.id == sa.bindparam("leaf_conversation", type_=uuid_type))
        .values(
            updated_at=sa.bindparam("leaf_now", type_=conversations.c.updated_at.type),
            current_leaf_id=sa.case(
                (leaf == sa.bindparam("leaf_from", type_=uuid_type),
                 sa.bindparam("leaf_to", type_=uuid_type)),
                else_=leaf,
            ),
        )
    )  # fmt: skip


def advance_leaf(slot: Slot) -> Write:
    """The conversation moves on to the answer, if it still shows the message answered."""
    return Write(
        _advance_leaf_statement(),
        {
            "leaf_conversation": slot.conversation_id,
            "leaf_now": utcnow(),
            "leaf_from": slot.parent_id,
            "leaf_to": slot.message_id,
        },
    )


def end_live(message_id: uuid.UUID) -> Write:
    """The live call's end: its lease row goes (written with the call's usage and charge)."""
    return row_delete(LiveCall, "message_id", message_id, "live_")


@dataclass(frozen=True)
class Opening:
    """One answer to open: its place, its started call and the messages it was sent."""

    slot: Slot
    call: ModelCall
    messages: Sequence[Message]


async def open_answers(
    session: AsyncSession,
    runtime: Runtime,
    member: Member,
    openings: Sequence[Opening],
    idempotency_id: uuid.UUID | None,
    before: Sequence[Write] = (),
) -> None:
    """Write each ``streaming`` message and lease its call, in ``session``: the transaction that
    took the calls' credit holds, so a hold never exists without the lease that settles it.

    One statement (one round trip) for every answer, its lease, the conversation's new leaf and
    the ``before`` writes (a compare's run, which the answers reference)."""
    now = utcnow()
    writes = list(before)
    for index, opening in enumerate(openings):
        writes += _opening_writes(runtime, member, opening, idempotency_id, now, f"a{index}_")
    if writes:
        await write_in_unit(session, writes)
    for opening in openings:
        slot = opening.slot
        runtime.leases.add(slot.message_id)
        opening.call.accounted_writes = functools.partial(_ended, slot.message_id)
        opening.call.on_platform_hold = lease_hold(slot.message_id)


def _ended(message_id: uuid.UUID) -> list[Write]:
    return [end_live(message_id)]


def _opening_writes(
    runtime: Runtime,
    member: Member,
    opening: Opening,
    idempotency_id: uuid.UUID | None,
    now: datetime,
    prefix: str,
) -> list[Write]:
    slot, call = opening.slot, opening.call
    hold = call.hold
    answer = new_row(
        ChatMessage,
        id=slot.message_id,
        conversation_id=slot.conversation_id,
        parent_id=slot.parent_id,
        role="assistant",
        parts=[],
        provider=slot.provider,
        model=slot.model_ref,
        key_source=call.key_source,
        ignored_parameters=list(call.ignored_parameters()),
        status="streaming",
        compare_id=slot.compare_id,
        lane=slot.lane,
        checkpoint_at=now,
        created_at=now,
    )
    lease = new_row(
        LiveCall,
        message_id=slot.message_id,
        workspace_id=member.workspace_id,
        user_id=member.principal.user_id,
        conversation_id=slot.conversation_id,
        model_ref=slot.model_ref,
        key_source=call.key_source,
        input_tokens=estimated_tokens(*(m.text() for m in opening.messages)),
        hold_id=hold.id if hold else None,
        hold_credits=hold.credits if hold else 0,
        hold_key=hold.idempotency_key if hold else None,
        idempotency_id=idempotency_id,
        compare_id=slot.compare_id,
        instance_id=runtime.instance_id,
        lease_until=now + timedelta(seconds=runtime.settings.call_lease_s),
    )
    writes = [
        row_insert(ChatMessage, answer, f"{prefix}answer_"),
        row_insert(LiveCall, lease, f"{prefix}lease_"),
    ]
    if slot.make_current:
        writes.append(advance_leaf(slot))
    return writes


async def checkpoint(runtime: Runtime, message_id: uuid.UUID, text: str) -> None:
    """Save the text streamed so far; a failure (database outage) never stops the stream."""
    try:
        async with runtime.sessionmaker() as session:
            await session.execute(
                sa.update(ChatMessage)
                .where(col(ChatMessage.id) == message_id, col(ChatMessage.status) == "streaming")
                .values(parts=dump_parts((Text(text),)), checkpoint_at=utcnow())
            )
            await session.commit()
    except Exception as exc:
        log.warning("could not checkpoint answer %s: %s", message_id, type(exc).__name__)


def lease_hold(message_id: uuid.UUID) -> Callable[[AsyncSession, Hold], Awaitable[None]]:
    """A BYOK failure moved the call to the platform key: the lease carries its new hold."""

    async def move(session: AsyncSession, hold: Hold) -> None:
        await session.execute(
            sa.update(LiveCall)
            .where(col(LiveCall.message_id) == message_id)
            .values(
                key_source="platform",
                hold_id=hold.id,
                hold_credits=hold.credits,
                hold_key=hold.idempotency_key,
            )
        )

    return move


def answer_state(message_id: uuid.UUID, fields: dict[str, object]) -> Write:
    """The streaming message's final state (written with the call's usage when the stream was
    read to its end, else by :func:`close_answer`)."""
    return row_update(ChatMessage, "id", message_id, fields, "answer_")


async def close_answer(
    runtime: Runtime, slot: Slot, opened: bool, fields: dict[str, object]
) -> None:
    """The answer's final state: update the streaming message, or write it whole if the call
    never started (refused lanes)."""
    async with runtime.sessionmaker() as session:
        if opened:
            await execute(session, answer_state(slot.message_id, fields))
        else:
            session.add(
                ChatMessage(
                    id=slot.message_id,
                    conversation_id=slot.conversation_id,
                    parent_id=slot.parent_id,
                    role="assistant",
                    provider=slot.provider,
                    model=slot.model_ref,
                    compare_id=slot.compare_id,
                    lane=slot.lane,
                    **fields,  # type: ignore[arg-type]
                )
            )
            if slot.make_current:
                await execute(session, advance_leaf(slot))
        await session.commit()
