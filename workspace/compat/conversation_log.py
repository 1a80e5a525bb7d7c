"""``X-Switchboard-Conversation: new|<id>``: the exchange recorded as a conversation.

The client's last user message is added at the conversation's current leaf and the answer is
written after it, exactly as chat writes one (:mod:`workspace.chat.durable`: a ``streaming``
message and a leased live call committed with the call's credit hold, then its final state), so
the member can open it in the workspace and continue it there. A conversation of another
workspace, or someone else's private one, is a 404 like anywhere else.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from anyio import CancelScope
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import Message
from workspace.audit.service import Actor
from workspace.calls.gateway import ModelCall
from workspace.chat import durable, service
from workspace.chat.access import conversation_access
from workspace.chat.models import Conversation
from workspace.chat.outcome import LaneOutcome
from workspace.compat.caller import NEW_CONVERSATION, ConversationRef
from workspace.errors import NotFound
from workspace.runtime import Runtime
from workspace.teams.guards import Member
from workspace.teams.roles import Permission


@dataclass(frozen=True)
class Logged:
    """Where the answer of a recorded exchange goes."""

    conversation_id: uuid.UUID
    slot: durable.Slot


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
    asked = next((m.text() for m in reversed(messages) if m.role == "user"), "")
    user = await service.add_user_message(
        db, conversation, conversation.current_leaf_id, member.principal.user_id, asked
    )
    provider = model_ref.split("/", 1)[0]
    slot = durable.Slot(
        uuid.uuid4(), conversation.id, user.id, provider, model_ref, None, None, True
    )
    return Logged(conversation.id, slot)


async def open_answer(
    db: AsyncSession,
    runtime: Runtime,
    member: Member,
    logged: Logged,
    call: ModelCall,
) -> None:
    """The answer's ``streaming`` message and lease, in the unit of work holding the call's hold."""
    await durable.open_answer(
        db, runtime, member, logged.slot, call, call.request.messages, idempotency_id=None
    )


async def close_answer(runtime: Runtime, logged: Logged, outcome: LaneOutcome) -> None:
    """The answer's final state, whatever happened to the stream."""
    with CancelScope(shield=True):
        try:
            await durable.close_answer(runtime, logged.slot, True, outcome.stored_fields())
        finally:
            runtime.leases.discard(logged.slot.message_id)
