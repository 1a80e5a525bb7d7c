"""The sidebar: projects and conversations of one workspace, one page at a time.

Pages stay fast with thousands of conversations because the sidebar never loads more than
:data:`SIDEBAR_PAGE` rows per list; "More" fetches the next page with HTMX. The project page
(``/w/{ws}/p/{project}``) pages through a project's conversations the same way.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.chat import service as chat
from workspace.chat.models import Conversation
from workspace.projects import service as projects
from workspace.teams.guards import Member
from workspace.web.organise import UNTITLED, Rights, rights_of

SIDEBAR_PAGE = 30
T = TypeVar("T")


@dataclass(frozen=True)
class ConversationLink:
    """One conversation row; ``rights`` decides which menu entries the row offers."""

    id: uuid.UUID
    title: str
    updated_at: datetime | None
    shared: bool
    rights: Rights


@dataclass(frozen=True)
class ProjectLink:
    id: uuid.UUID
    name: str


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    next_offset: int | None


def conversation_link(member: Member, conversation: Conversation) -> ConversationLink:
    return ConversationLink(
        conversation.id,
        conversation.title or UNTITLED,
        conversation.updated_at,
        conversation.visibility == "shared",
        rights_of(member, conversation.created_by),
    )


async def project_page(db: AsyncSession, member: Member, offset: int) -> Page[ProjectLink]:
    rows = await projects.list_projects(db, member.workspace_id, SIDEBAR_PAGE + 1, offset)
    items = tuple(ProjectLink(p.id, p.name) for p in rows[:SIDEBAR_PAGE])
    return Page(items, offset + SIDEBAR_PAGE if len(rows) > SIDEBAR_PAGE else None)


async def conversation_page(
    db: AsyncSession, member: Member, offset: int, *, project_id: uuid.UUID | None = None
) -> Page[ConversationLink]:
    """The caller's conversations and those shared with them, newest first.

    Scoped by the chat service's query (mine + shared in this workspace); ``project_id`` keeps
    one project's conversations (the caller checks the project belongs to the workspace).
    """
    rows = await chat.list_conversations(
        db, member, project_id=project_id, limit=SIDEBAR_PAGE + 1, offset=offset
    )
    items = tuple(conversation_link(member, c) for c in rows[:SIDEBAR_PAGE])
    return Page(items, offset + SIDEBAR_PAGE if len(rows) > SIDEBAR_PAGE else None)
