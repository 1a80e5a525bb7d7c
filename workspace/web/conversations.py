"""What the chat pages show of a conversation, and the model picker.

WIRE (chat): ``workspace/chat/`` has no service yet. :func:`load_conversation` is the one place
to connect: load the conversation (scoped by ``member``) and the active branch of its message
tree, and map them to the view types below. The chat template, branch arrows and the streaming
client (``static/chat.js``) already consume these shapes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from itertools import groupby

from sqlmodel.ext.asyncio.session import AsyncSession

from adapters.manager import ProviderRegistry
from adapters.types import ModelInfo
from workspace.teams.guards import Member

# DESIGN.md: "N up to a setting, default 6"; read the setting here once chat adds it.
COMPARE_LANES_MAX = 6


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


@dataclass(frozen=True)
class ModelGroup:
    provider_id: str
    provider_name: str
    models: tuple[ModelInfo, ...]


async def load_conversation(
    db: AsyncSession, member: Member, conversation_id: uuid.UUID, leaf_id: uuid.UUID | None
) -> ConversationView | None:
    """The conversation with the branch ending at ``leaf_id`` (or its latest), None if unseen."""
    del db, member, conversation_id, leaf_id
    return None


def model_groups(registry: ProviderRegistry) -> list[ModelGroup]:
    """The catalogue grouped by provider, for ``<optgroup>`` pickers."""
    names = {p.id: p.display_name for p in registry.providers()}
    groups = []
    for provider_id, models in groupby(registry.models(), key=lambda m: m.provider):
        ordered = tuple(sorted(models, key=lambda m: m.display_name.lower()))
        groups.append(ModelGroup(provider_id, names.get(provider_id, provider_id), ordered))
    return groups
