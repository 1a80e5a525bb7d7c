"""What the chat pages show of a conversation, and the model picker.

:func:`load_conversation` maps the chat service's tree and current branch to the view types
below, which the chat template, the branch arrows and the streaming client (``static/chat.js``)
consume.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from itertools import groupby

from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.chat import service as chat
from workspace.chat.access import conversation_access
from workspace.chat.models import ChatMessage
from workspace.chat.parts import text_of
from workspace.errors import NotFound
from workspace.keys import policy
from workspace.runtime import Runtime
from workspace.teams.guards import Member
from workspace.teams.roles import Permission


@dataclass(frozen=True)
class MessageView:
    """One message on the active branch; ``text`` is raw model or user text (rendered later)."""

    id: uuid.UUID
    role: str
    text: str
    model: str | None = None
    key_source: str | None = None
    branch_index: int = 1
    branch_count: int = 1
    prev_branch_id: uuid.UUID | None = None
    next_branch_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ConversationView:
    id: uuid.UUID
    title: str
    messages: tuple[MessageView, ...]
    model: str | None
    shared: bool = False


PAID_BY = {
    "personal": "your key",
    "workspace": "workspace key",
    "platform": "platform credits",
}


@dataclass(frozen=True)
class PickerModel:
    """A model in the picker, with how it would be paid for right now."""

    ref: str
    display_name: str
    key_source: str | None
    allowed: bool

    @property
    def usable(self) -> bool:
        return self.allowed and self.key_source is not None

    @property
    def paid_by(self) -> str:
        if not self.allowed:
            return "not allowed by policy"
        return PAID_BY.get(self.key_source or "", "no key: add one")


@dataclass(frozen=True)
class ModelGroup:
    provider_id: str
    provider_name: str
    models: tuple[PickerModel, ...]


async def load_conversation(
    db: AsyncSession, member: Member, conversation_id: uuid.UUID, leaf_id: uuid.UUID | None
) -> ConversationView | None:
    """The conversation with the branch ending at ``leaf_id`` (or its current one), None if unseen.

    Access is the chat service's query (membership + visibility), and the conversation must
    belong to the workspace of the URL.
    """
    try:
        access = await conversation_access(
            db, member.principal, conversation_id, Permission.CONVERSATIONS_READ
        )
    except NotFound:
        return None
    conversation = access.conversation
    if conversation.workspace_id != member.workspace_id:
        return None
    tree = await chat.load_tree(db, conversation.id)
    hidden = await chat.hidden_compares(db, conversation.id)
    leaf = leaf_id if leaf_id in tree.by_id else conversation.current_leaf_id
    path = tree.path(leaf)
    siblings: dict[uuid.UUID | None, list[ChatMessage]] = {}
    for m in tree.messages:
        siblings.setdefault(m.parent_id, []).append(m)
    views = []
    for node in path:
        group = [m for m in siblings.get(node.parent_id, []) if m.role == node.role]
        index = next(i for i, m in enumerate(group) if m.id == node.id)
        prev_id = tree.newest_leaf_under(group[index - 1].id) if index > 0 else None
        next_id = tree.newest_leaf_under(group[index + 1].id) if index + 1 < len(group) else None
        model = None
        if node.role == "assistant" and node.model and node.compare_id not in hidden:
            model = f"{node.provider}/{node.model}" if node.provider else node.model
        views.append(
            MessageView(
                node.id,
                node.role,
                text_of(node.parts),
                model,
                node.key_source,
                index + 1,
                len(group),
                prev_id,
                next_id,
            )
        )
    last_model = next((v.model for v in reversed(views) if v.model), None)
    return ConversationView(
        conversation.id,
        conversation.title or "New chat",
        tuple(views),
        last_model,
        conversation.visibility == "shared",
    )


async def model_groups(db: AsyncSession, runtime: Runtime, member: Member) -> list[ModelGroup]:
    """The catalogue grouped by provider, each model saying whose key would pay for it now."""
    names = {p.id: p.display_name for p in runtime.registry.providers()}
    catalogue = await policy.catalogue(db, runtime, member)
    groups = []
    for provider_id, models in groupby(catalogue, key=lambda m: m.provider):
        ordered = tuple(
            PickerModel(m.id, m.display_name, m.key_source, m.allowed)
            for m in sorted(models, key=lambda m: m.display_name.lower())
        )
        groups.append(ModelGroup(provider_id, names.get(provider_id, provider_id), ordered))
    return groups
