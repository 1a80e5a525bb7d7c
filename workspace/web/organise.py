"""What a member may do to a conversation from the pages, and what the action menus need.

The rule, mirrored from the chat service so pages never offer a control the API would refuse:

- **rename**: anyone whose role has ``conversations.write`` and who can see the conversation;
- **move** to a project and **delete**: its creator, or a workspace admin;
- **share / make private**: its creator only (everyone else sees the visibility read-only);
- **pin** (for yourself) and **archive / restore** (for everyone): whoever may rename. The API
  also lets viewers pin; the pages keep viewers menu-free.

Viewers therefore get no menu at all. The sidebar (:mod:`workspace.web.sidebar`) applies the
rule per row; the chat header gets it through :func:`conversation_actions_context`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Final

from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.chat import organise
from workspace.chat.models import Conversation
from workspace.projects import service as projects
from workspace.teams.guards import Member
from workspace.teams.roles import Permission
from workspace.web.conversations import visible_conversation

# The move select lists at most this many projects, newest first, so the menu stays one cheap
# query however many projects a workspace grows.
PROJECT_CHOICES: Final = 200
UNTITLED: Final = "New chat"


@dataclass(frozen=True)
class Rights:
    """Which organising controls to show for one conversation."""

    rename: bool
    manage: bool
    share: bool

    @property
    def any(self) -> bool:
        return self.rename or self.manage or self.share

    @property
    def pin(self) -> bool:
        return self.rename

    @property
    def archive(self) -> bool:
        return self.rename


def rights_of(member: Member, created_by: uuid.UUID) -> Rights:
    """The rule above, for ``member`` and a conversation started by ``created_by``."""
    if not member.can(Permission.CONVERSATIONS_WRITE):
        return Rights(rename=False, manage=False, share=False)
    creator = created_by == member.principal.user_id
    return Rights(
        rename=True,
        manage=creator or member.can(Permission.MEMBERS_MANAGE),
        share=creator,
    )


@dataclass(frozen=True)
class ProjectChoice:
    id: uuid.UUID
    name: str


@dataclass(frozen=True)
class ConversationActions:
    """The header menu of one conversation: its state and what the caller may change."""

    id: uuid.UUID
    title: str
    shared: bool
    project_id: uuid.UUID | None
    rights: Rights
    projects: tuple[ProjectChoice, ...]
    project: ProjectChoice | None = None
    pinned: bool = False
    archived: bool = False


async def project_choices(db: AsyncSession, member: Member) -> tuple[ProjectChoice, ...]:
    rows = await projects.list_projects(db, member.workspace_id, PROJECT_CHOICES, 0)
    return tuple(ProjectChoice(p.id, p.name) for p in rows)


async def load_actions(
    db: AsyncSession, member: Member, conversation_id: uuid.UUID
) -> ConversationActions | None:
    """The menu for ``conversation_id`` as ``member`` sees it; None if they cannot see it."""
    conversation = await visible_conversation(db, member, conversation_id)
    return await actions_of(db, member, conversation) if conversation else None


async def actions_of(
    db: AsyncSession, member: Member, conversation: Conversation
) -> ConversationActions:
    """The menu of a conversation already checked visible to ``member``."""
    rights = rights_of(member, conversation.created_by)
    choices = await project_choices(db, member) if rights.manage else ()
    project = None
    if conversation.project_id is not None:
        found = await projects.get_project(db, member.workspace_id, conversation.project_id)
        project = ProjectChoice(found.id, found.name)
    pins = await organise.pinned_among(db, member.principal.user_id, [conversation.id])
    return ConversationActions(
        conversation.id,
        conversation.title or UNTITLED,
        conversation.visibility == "shared",
        conversation.project_id,
        rights,
        choices,
        project,
        pinned=conversation.id in pins,
        archived=conversation.archived_at is not None,
    )


async def conversation_actions_context(
    db: AsyncSession, member: Member, conversation: Conversation | None
) -> dict[str, Any]:
    """Template context for ``partials/conversation_actions.html`` (merge it into the page's).

    ``None`` (a new, not yet created chat) gives an empty menu, so the include is always safe.
    """
    actions = await actions_of(db, member, conversation) if conversation else None
    return {"conversation_actions": actions}
