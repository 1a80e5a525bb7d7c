"""``X-Switchboard-Conversation: new|<id>``: the exchange recorded as a conversation.

What the client sends that the conversation does not hold yet is added at its current leaf: for
a conversation named by id, the messages after the request's last assistant message (the new
question, or the results of the tools the last answer called); for a new one, the request's
whole history (system messages aside). Text, tool calls and tool results are kept as the chat
domain's canonical parts; images are not copied. The answer is written after them, its tool
calls included, exactly as chat writes one (:mod:`workspace.chat.durable`: a ``streaming``
message and a leased live call committed with the call's credit hold, then its final state), so
the member can open it in the workspace and continue it there. A conversation of another
workspace, or someone else's private one, is a 404 like anywhere else.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from anyio import CancelScope
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import Message, Part, Text, ToolCall, ToolResult
from workspace.audit.service import Actor
from workspace.calls.gateway import ModelCall
from workspace.chat import durable, idempotency, service
from workspace.chat.access import conversation_access
from workspace.chat.models import ChatMessage, Conversation
from workspace.chat.outcome import LaneOutcome
from workspace.chat.parts import dump_parts
from workspace.compat.caller import NEW_CONVERSATION, ConversationRef
from workspace.db.writes import write_at_once
from workspace.errors import NotFound
from workspace.runtime import Runtime
from workspace.teams.guards import Member
from workspace.teams.roles import Permission


@dataclass(frozen=True)
class Logged:
    """Where the answer of a recorded exchange goes."""

    conversation_id: uuid.UUID
    slot: durable.Slot
    # The request's Idempotency-Key claim (:mod:`.idempotent`), finished with the answer.
    idempotency_id: uuid.UUID | None = None


async def _conversation(
    db: AsyncSession, actor: Actor, member: Member, ref: uuid.UUID | str
) -> Conversation:
    if not isinstance(ref, uuid.UUID):
        return await service.create_conversation(
            db, actor, member, title="", project_id=None, visibility="private"
        )
    access = await conversation_access(
        db, member.principal, ref, Permission.CONVERSATIONS_WRITE, for_update=True
    )
    if access.conversation.workspace_id != member.workspace_id:
        raise NotFound("No such conversation.")
    return access.conversation


async def open_log(
    db: AsyncSession,
    actor: Actor,
    member: Member,
    ref: ConversationRef,
    messages: tuple[Message, ...],
    model_ref: str,
) -> Logged | None:
    """Add the exchange's user message to the conversation ``ref`` names (None: not recorded)."""
    if ref is None:
        return None
    assert isinstance(ref, uuid.UUID) or ref == NEW_CONVERSATION
    conversation = await _conversation(db, actor, member, ref)
    parent = conversation.current_leaf_id
    unrecorded = _unrecorded(messages, whole=not isinstance(ref, uuid.UUID))
    for message in unrecorded:
        parent = await _record(db, conversation, parent, member, message)
    if not unrecorded or parent is None:
        # Nothing new (a request ending with an assistant message): its last question again.
        asked = next((m.text() for m in reversed(messages) if m.role == "user"), "")
        parent = await service.add_user_message(
            db, conversation, parent, member.principal.user_id, asked
        )
    provider = model_ref.split("/", 1)[0]
    slot = durable.Slot(
        uuid.uuid4(), conversation.id, parent, provider, model_ref, None, None, True
    )
    return Logged(conversation.id, slot)


def _kept(message: Message) -> tuple[Part, ...]:
    return tuple(p for p in message.parts if isinstance(p, Text | ToolCall | ToolResult))


def _unrecorded(messages: tuple[Message, ...], *, whole: bool) -> list[Message]:
    """The request's messages the conversation lacks: all of them for a new conversation, else
    those after the last assistant message (system messages are the client's, never kept)."""
    start = 0
    if not whole:
        start = next(
            (i + 1 for i in reversed(range(len(messages))) if messages[i].role == "assistant"), 0
        )
    return [m for m in messages[start:] if m.role != "system" and _kept(m)]


async def _record(
    db: AsyncSession,
    conversation: Conversation,
    parent: uuid.UUID | None,
    member: Member,
    message: Message,
) -> uuid.UUID:
    """One request message added under ``parent``; the conversation's leaf moves to it."""
    if message.role == "user":  # its text (images are not copied), and the title if none
        return await service.add_user_message(
            db, conversation, parent, member.principal.user_id, message.text()
        )
    row = ChatMessage(
        conversation_id=conversation.id,
        parent_id=parent,
        role=message.role,
        parts=dump_parts(_kept(message)),
        author_id=member.principal.user_id if message.role != "assistant" else None,
    )
    db.add(row)
    await db.flush()
    conversation.current_leaf_id = row.id
    db.add(conversation)
    return row.id


async def open_answer(
    db: AsyncSession,
    runtime: Runtime,
    member: Member,
    logged: Logged,
    call: ModelCall,
) -> None:
    """The answer's ``streaming`` message and lease, in the unit of work holding the call's hold."""
    opening = durable.Opening(logged.slot, call, call.request.messages)
    await durable.open_answers(db, runtime, member, [opening], logged.idempotency_id)


async def close_answer(
    runtime: Runtime, logged: Logged, outcome: LaneOutcome, tool_calls: tuple[ToolCall, ...]
) -> None:
    """The answer's final state, whatever happened to the stream, with the tools it called."""
    fields = outcome.stored_fields()
    fields["parts"] = dump_parts((*outcome.parts(), *tool_calls))
    with CancelScope(shield=True):
        try:
            await durable.close_answer(runtime, logged.slot, True, fields)
            if logged.idempotency_id is not None:
                async with runtime.sessionmaker() as session:
                    claim = idempotency.finished(logged.idempotency_id, [logged.slot.message_id])
                    await write_at_once(session, [claim])
        finally:
            runtime.leases.discard(logged.slot.message_id)
