"""Pins, archive and the filters of the conversation list.

- **Pins are per member**: a ``conversation_pins`` row (user, conversation, when). Pinning a
  shared conversation pins it only for you; anyone who can see a conversation may pin it.
- **Archive is per conversation**: ``conversations.archived_at``. Anyone who may rename it may
  archive or restore it (``conversations.write`` and able to see it), and it is audited, because
  it moves the conversation out of everyone's sidebar. Archived conversations leave the default
  list; ``archived=True`` lists only them.
- **Filters combine (AND)** on top of visibility (mine + the workspace's shared ones): a project,
  a model (``provider/model``: at least one answer from it), an author (who started it).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from workspace.audit.actions import AuditAction
from workspace.audit.service import Actor, record
from workspace.chat.access import ConversationAccess
from workspace.chat.models import ChatMessage, Conversation, ConversationPin
from workspace.db.columns import utcnow
from workspace.errors import InvalidInput
from workspace.teams.guards import Member

# The sidebar shows at most this many pins (newest pin first); unpinning makes room.
PINS_SHOWN: Final = 50


@dataclass(frozen=True)
class ModelFilter:
    """A model as answers record it: ``provider/model`` (the model part may hold slashes)."""

    provider: str
    ref: str

    @classmethod
    def parse(cls, ref: str) -> ModelFilter:
        provider, _, model = ref.partition("/")
        if not provider or not model:
            raise InvalidInput("Filter by model as provider/model, e.g. openai/gpt-4o-mini.")
        return cls(provider, ref)


@dataclass(frozen=True)
class ConversationFilter:
    """What to keep of the visible conversations; every field set narrows the list (AND)."""

    project_id: uuid.UUID | None = None
    model: ModelFilter | None = None
    author_id: uuid.UUID | None = None
    archived: bool = False
    # None = pinned or not; False leaves out the caller's pins (the sidebar shows them apart).
    pinned: bool | None = None


def _pinned_by(user_id: uuid.UUID) -> sa.ColumnElement[bool]:
    return sa.exists().where(
        col(ConversationPin.conversation_id) == col(Conversation.id),
        col(ConversationPin.user_id) == user_id,
    )


def filtered(
    stmt: SelectOfScalar[Any], member: Member, wanted: ConversationFilter
) -> SelectOfScalar[Any]:
    """``stmt`` (over conversations) narrowed to what ``member`` may see and ``wanted`` keeps."""
    stmt = stmt.where(
        col(Conversation.workspace_id) == member.workspace_id,
        sa.or_(
            col(Conversation.visibility) == "shared",
            col(Conversation.created_by) == member.principal.user_id,
        ),
        col(Conversation.archived_at).is_not(None)
        if wanted.archived
        else col(Conversation.archived_at).is_(None),
    )
    if wanted.project_id is not None:
        stmt = stmt.where(col(Conversation.project_id) == wanted.project_id)
    if wanted.author_id is not None:
        stmt = stmt.where(col(Conversation.created_by) == wanted.author_id)
    if wanted.model is not None:
        stmt = stmt.where(
            sa.exists().where(
                col(ChatMessage.conversation_id) == col(Conversation.id),
                col(ChatMessage.role) == "assistant",
                col(ChatMessage.provider) == wanted.model.provider,
                col(ChatMessage.model) == wanted.model.ref,
            )
        )
    if wanted.pinned is not None:
        pinned = _pinned_by(member.principal.user_id)
        stmt = stmt.where(pinned if wanted.pinned else sa.not_(pinned))
    return stmt


async def answered_models(session: AsyncSession, member: Member, limit: int) -> list[str]:
    """The models (``provider/model``) that answered in conversations ``member`` can see, for
    the list's model filter."""
    visible = filtered(select(Conversation.id), member, ConversationFilter())
    stmt = (
        select(ChatMessage.model)
        .where(
            col(ChatMessage.role) == "assistant",
            col(ChatMessage.model).is_not(None),
            col(ChatMessage.conversation_id).in_(visible),
        )
        .distinct()
        .order_by(col(ChatMessage.model))
        .limit(limit)
    )
    return [m for m in (await session.exec(stmt)).all() if m]


async def pinned_conversations(session: AsyncSession, member: Member) -> list[Conversation]:
    """The caller's pinned conversations that are still visible and not archived, newest pin
    first (at most :data:`PINS_SHOWN`)."""
    stmt = filtered(
        select(Conversation).join(
            ConversationPin,
            sa.and_(
                col(ConversationPin.conversation_id) == col(Conversation.id),
                col(ConversationPin.user_id) == member.principal.user_id,
            ),
        ),
        member,
        ConversationFilter(),
    )
    stmt = stmt.order_by(col(ConversationPin.pinned_at).desc()).limit(PINS_SHOWN)
    return list((await session.exec(stmt)).all())


async def pinned_among(
    session: AsyncSession, user_id: uuid.UUID, ids: list[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of ``ids`` ``user_id`` has pinned (one query, for a page of the list)."""
    if not ids:
        return set()
    stmt = select(ConversationPin.conversation_id).where(
        ConversationPin.user_id == user_id, col(ConversationPin.conversation_id).in_(ids)
    )
    return set((await session.exec(stmt)).all())


async def pin(session: AsyncSession, access: ConversationAccess) -> None:
    """Pin for the caller only; pinning twice keeps the first pin's time."""
    stmt = (
        insert(ConversationPin)
        .values(
            user_id=access.member.principal.user_id,
            conversation_id=access.conversation.id,
            pinned_at=utcnow(),
        )
        .on_conflict_do_nothing()
    )
    await session.exec(stmt)
    await session.flush()


async def unpin(session: AsyncSession, access: ConversationAccess) -> None:
    stmt = sa.delete(ConversationPin).where(
        col(ConversationPin.user_id) == access.member.principal.user_id,
        col(ConversationPin.conversation_id) == access.conversation.id,
    )
    await session.exec(stmt)
    await session.flush()


async def set_archived(
    session: AsyncSession, actor: Actor, access: ConversationAccess, archived: bool
) -> Conversation:
    """Archive (or restore) for everyone; a no-op when already in that state (no audit row)."""
    conversation = access.conversation
    if (conversation.archived_at is not None) == archived:
        return conversation
    conversation.archived_at = utcnow() if archived else None
    session.add(conversation)
    await record(
        session,
        actor,
        AuditAction.CONVERSATION_ARCHIVED if archived else AuditAction.CONVERSATION_RESTORED,
        target_type="conversation",
        target_id=conversation.id,
        workspace_id=conversation.workspace_id,
    )
    await session.flush()
    return conversation
