"""Conversations and their message trees: create, list, read, branch, and the history to send.

Every query is scoped by the workspace of a membership (``Member``) or by a conversation already
loaded through :mod:`workspace.chat.access`, never by ids alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final, Literal

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import Message, Part, Text, ToolCall
from workspace.audit.actions import AuditAction
from workspace.audit.service import Actor, record
from workspace.chat.access import ConversationAccess
from workspace.chat.models import ChatMessage, CompareRun, CompareVote, Conversation
from workspace.chat.organise import ConversationFilter, filtered
from workspace.chat.parts import Images, dump_parts, load_parts
from workspace.chat.titles import title_from_prompt
from workspace.db.columns import utcnow
from workspace.db.writes import (
    Write,
    as_one,
    execute,
    new_row,
    row_insert,
    row_update,
    table_of,
)
from workspace.errors import Conflict, InvalidInput, NotFound
from workspace.projects import service as projects
from workspace.teams.guards import Member, MissingPermission
from workspace.teams.roles import Permission


class InvalidParent(InvalidInput):
    code = "invalid_parent"


class AnswerPending(Conflict):
    code = "answer_pending"


@dataclass(frozen=True)
class Tree:
    """All messages of a conversation, indexed for walking."""

    messages: tuple[ChatMessage, ...]
    by_id: dict[uuid.UUID, ChatMessage]

    def path(self, leaf_id: uuid.UUID | None) -> list[ChatMessage]:
        """Root -> ``leaf_id`` (empty for None)."""
        out: list[ChatMessage] = []
        node = self.by_id.get(leaf_id) if leaf_id else None
        while node is not None:
            out.append(node)
            node = self.by_id.get(node.parent_id) if node.parent_id else None
        out.reverse()
        return out

    def newest_leaf_under(self, node_id: uuid.UUID) -> uuid.UUID:
        """Follow the newest child down from ``node_id`` to a leaf."""
        children: dict[uuid.UUID, list[ChatMessage]] = {}
        for m in self.messages:
            if m.parent_id is not None:
                children.setdefault(m.parent_id, []).append(m)
        current = node_id
        while children.get(current):
            current = max(children[current], key=lambda m: m.created_at).id
        return current


async def create_conversation(
    session: AsyncSession,
    actor: Actor,
    member: Member,
    *,
    title: str,
    project_id: uuid.UUID | None,
    visibility: str,
) -> Conversation:
    if project_id is not None:
        await projects.get_project(session, member.workspace_id, project_id)
    conversation = Conversation(
        workspace_id=member.workspace_id,
        project_id=project_id,
        title=title.strip(),
        created_by=member.principal.user_id,
        visibility=visibility,
    )
    session.add(conversation)
    await session.flush()
    await record(
        session,
        actor,
        AuditAction.CONVERSATION_CREATED,
        target_type="conversation",
        target_id=conversation.id,
        workspace_id=member.workspace_id,
    )
    await session.flush()
    return conversation


async def list_conversations(
    session: AsyncSession,
    member: Member,
    *,
    project_id: uuid.UUID | None = None,
    limit: int,
    offset: int,
    filters: ConversationFilter | None = None,
) -> Sequence[Conversation]:
    """The caller's conversations and the workspace's shared ones, newest activity first,
    narrowed by ``filters`` (not archived unless asked; see :mod:`workspace.chat.organise`).

    A project of another workspace is a 404, like any id that is not the caller's to name.
    """
    wanted = filters or ConversationFilter()
    if project_id is not None:
        wanted = replace(wanted, project_id=project_id)
    if wanted.project_id is not None:
        await projects.get_project(session, member.workspace_id, wanted.project_id)
    stmt = (
        filtered(select(Conversation), member, wanted)
        .order_by(col(Conversation.updated_at).desc(), col(Conversation.id))
        .limit(limit)
        .offset(offset)
    )
    return (await session.exec(stmt)).all()


def require_owner_or_admin(access: ConversationAccess) -> None:
    """Visibility, project and deletion belong to the creator (or workspace admins)."""
    if not access.is_creator and not access.member.can(Permission.MEMBERS_MANAGE):
        raise MissingPermission("Only the conversation's creator or an admin can do this.")


@dataclass(frozen=True)
class ConversationChanges:
    title: str | None = None
    visibility: str | None = None
    project_id: uuid.UUID | None = None
    clear_project: bool = False


async def update_conversation(
    session: AsyncSession, actor: Actor, access: ConversationAccess, changes: ConversationChanges
) -> Conversation:
    conversation = access.conversation
    if changes.visibility is not None or changes.project_id is not None or changes.clear_project:
        require_owner_or_admin(access)
    if changes.title is not None:
        conversation.title = changes.title.strip()
    if changes.visibility is not None:
        conversation.visibility = changes.visibility
    if changes.project_id is not None:
        await projects.get_project(session, conversation.workspace_id, changes.project_id)
        conversation.project_id = changes.project_id
    elif changes.clear_project:
        conversation.project_id = None
    conversation.updated_at = utcnow()
    session.add(conversation)
    await record(
        session,
        actor,
        AuditAction.CONVERSATION_UPDATED,
        target_type="conversation",
        target_id=conversation.id,
        workspace_id=conversation.workspace_id,
    )
    await session.flush()
    return conversation


async def delete_conversation(
    session: AsyncSession, actor: Actor, access: ConversationAccess
) -> None:
    require_owner_or_admin(access)
    conversation = access.conversation
    # Messages, compare runs and votes go with it (ON DELETE CASCADE).
    await session.delete(conversation)
    await record(
        session,
        actor,
        AuditAction.CONVERSATION_DELETED,
        target_type="conversation",
        target_id=conversation.id,
        workspace_id=conversation.workspace_id,
    )
    await session.flush()


async def load_tree(session: AsyncSession, conversation_id: uuid.UUID) -> Tree:
    stmt = (
        select(ChatMessage)
        .where(ChatMessage.conversation_id == conversation_id)
        .order_by(col(ChatMessage.created_at), col(ChatMessage.lane))
    )
    messages = tuple((await session.exec(stmt)).all())
    return Tree(messages, {m.id: m for m in messages})


async def load_branch(
    session: AsyncSession, conversation_id: uuid.UUID, leaf_id: uuid.UUID | None, *also: uuid.UUID
) -> Tree:
    """Only the branch root -> ``leaf_id`` (and the messages ``also`` names), for a new turn:
    its history is one branch, and a long conversation with many branches would otherwise be
    read whole on every message. Messages of another conversation are never returned."""
    wanted = [i for i in (leaf_id, *also) if i is not None]
    if not wanted:
        return Tree((), {})
    table = table_of(ChatMessage)
    mine = table.c.conversation_id == conversation_id
    start = sa.select(table.c.id, table.c.parent_id).where(table.c.id.in_(wanted), mine)
    branch = start.cte("branch", recursive=True)
    up = sa.select(table.c.id, table.c.parent_id).join(branch, table.c.id == branch.c.parent_id)
    branch = branch.union_all(up.where(mine))
    stmt = (
        select(ChatMessage)
        .where(col(ChatMessage.id).in_(sa.select(branch.c.id)))
        .order_by(col(ChatMessage.created_at), col(ChatMessage.lane))
    )
    messages = tuple((await session.exec(stmt)).all())
    return Tree(messages, {m.id: m for m in messages})


async def hidden_compares(session: AsyncSession, conversation_id: uuid.UUID) -> set[uuid.UUID]:
    """Blind compares of this conversation that nobody has voted on yet (models stay hidden)."""
    stmt = (
        select(CompareRun.id)
        .outerjoin(CompareVote, col(CompareVote.compare_id) == col(CompareRun.id))
        .where(
            CompareRun.conversation_id == conversation_id,
            col(CompareRun.blind).is_(True),
            col(CompareVote.id).is_(None),
        )
    )
    return set((await session.exec(stmt)).all())


CURRENT_LEAF: Final = "current"


def parent_target(
    conversation: Conversation, parent_id: uuid.UUID | Literal["current"] | None
) -> uuid.UUID | None:
    """The message ``parent_id`` names (the current leaf for ``CURRENT_LEAF``), not yet checked."""
    return conversation.current_leaf_id if parent_id == CURRENT_LEAF else parent_id


def resolve_parent(
    tree: Tree, conversation: Conversation, parent_id: uuid.UUID | Literal["current"] | None
) -> uuid.UUID | None:
    """The message a new user message follows: ``parent_id`` (None = a new root), or the
    conversation's current leaf for ``CURRENT_LEAF``.

    A user message may follow only an assistant message (or start the tree): a user message as
    parent means its answer is still missing (streaming, or a compare waiting for a lane).
    """
    target = parent_target(conversation, parent_id)
    if target is None:
        return None
    node = tree.by_id.get(target)
    if node is None:
        raise InvalidParent("parent_id is not a message of this conversation.")
    if node.role == "user":
        raise AnswerPending(
            "This message has no answer to continue from yet. Wait for it, or continue a "
            "comparison on one lane (POST /api/compare/{id}/continue).",
            extra={"message_id": str(node.id)},
        )
    return target


def history(path: Sequence[ChatMessage], images: Images | None = None) -> tuple[Message, ...]:
    """The canonical history of a branch, as every provider receives it (attached images'
    bytes from ``images``, see :mod:`.attachments`).

    Failed answers without text or tool calls are left out; consecutive messages of the same
    role (a user message whose answer failed, then the next one) are merged, which every
    provider accepts.
    """
    out: list[Message] = []
    for stored in path:
        parts: tuple[Part, ...] = load_parts(stored.parts, images)
        said = any((isinstance(p, Text) and p.text) or isinstance(p, ToolCall) for p in parts)
        if stored.role == "assistant" and not said:
            continue
        role = stored.role
        if role not in ("system", "user", "assistant", "tool"):
            continue
        if out and out[-1].role == role and role in ("user", "assistant"):
            out[-1] = Message(out[-1].role, out[-1].parts + parts)
        else:
            out.append(Message(role, parts))  # type: ignore[arg-type]
    return tuple(out)


def user_message(
    conversation: Conversation,
    parent_id: uuid.UUID | None,
    author_id: uuid.UUID,
    content: str,
    *,
    extra_parts: Sequence[dict[str, object]] = (),
    leaf: uuid.UUID | None = None,
) -> tuple[uuid.UUID, list[Write]]:
    """The user message (its text, then ``extra_parts``: attachments) and the conversation's
    new leaf, title and time, as writes still to run (one statement with :func:`as_one`): the
    message's id and the writes.

    ``leaf`` names an answer to this message written in the same statement: the conversation
    shows it at once (one statement may change the conversation's row only once)."""
    message = new_row(
        ChatMessage,
        conversation_id=conversation.id,
        parent_id=parent_id,
        role="user",
        parts=[*dump_parts((Text(content),)), *extra_parts],
        author_id=author_id,
    )
    changes: dict[str, object] = {
        "updated_at": message["created_at"],
        "current_leaf_id": leaf or message["id"],
    }
    if not conversation.title:
        changes["title"] = title_from_prompt(content)
    written = row_insert(ChatMessage, message, "user_")
    moved = row_update(Conversation, "id", conversation.id, changes, "conversation_")
    for name, value in changes.items():  # what the row holds once written: no second write
        set_committed_value(conversation, name, value)
    message_id: uuid.UUID = message["id"]
    return message_id, [written, moved]


async def add_user_message(
    session: AsyncSession,
    conversation: Conversation,
    parent_id: uuid.UUID | None,
    author_id: uuid.UUID,
    content: str,
) -> uuid.UUID:
    """The user message written now (one round trip, see :func:`user_message`): its id."""
    message_id, writes = user_message(conversation, parent_id, author_id, content)
    await execute(session, as_one(writes))
    return message_id


async def set_current(
    session: AsyncSession, access: ConversationAccess, node_id: uuid.UUID
) -> tuple[Conversation, Tree]:
    """Show the branch through ``node_id`` (down to its newest leaf)."""
    conversation = access.conversation
    tree = await load_tree(session, conversation.id)
    if node_id not in tree.by_id:
        raise NotFound("No such message in this conversation.")
    conversation.current_leaf_id = tree.newest_leaf_under(node_id)
    conversation.updated_at = utcnow()
    session.add(conversation)
    await session.flush()
    return conversation, tree


async def get_message(
    session: AsyncSession, conversation_id: uuid.UUID, message_id: uuid.UUID
) -> ChatMessage:
    stmt = select(ChatMessage).where(
        ChatMessage.id == message_id, ChatMessage.conversation_id == conversation_id
    )
    message = (await session.exec(stmt)).first()
    if message is None:
        raise NotFound("No such message in this conversation.")
    return message
