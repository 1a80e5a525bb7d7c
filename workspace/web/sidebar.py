"""The sidebar: projects and conversations of one workspace, one page at a time.

Pages stay fast with thousands of conversations because the sidebar never loads more than
:data:`SIDEBAR_PAGE` rows per list; "More" fetches the next page with HTMX.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.chat import service as chat
from workspace.projects import service as projects
from workspace.teams.guards import Member

SIDEBAR_PAGE = 30
T = TypeVar("T")


@dataclass(frozen=True)
class ConversationLink:
    id: uuid.UUID
    title: str
    updated_at: datetime | None
    shared: bool


@dataclass(frozen=True)
class ProjectLink:
    id: uuid.UUID
    name: str


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    next_offset: int | None


async def project_page(db: AsyncSession, member: Member, offset: int) -> Page[ProjectLink]:
    rows = await projects.list_projects(db, member.workspace_id, SIDEBAR_PAGE + 1, offset)
    items = tuple(ProjectLink(p.id, p.name) for p in rows[:SIDEBAR_PAGE])
    return Page(items, offset + SIDEBAR_PAGE if len(rows) > SIDEBAR_PAGE else None)


async def conversation_page(
    db: AsyncSession, member: Member, offset: int
) -> Page[ConversationLink]:
    """The caller's conversations and those shared with them, newest first.

    Scoped by the chat service's query (mine + shared in this workspace).
    """
    rows = await chat.list_conversations(
        db, member, project_id=None, limit=SIDEBAR_PAGE + 1, offset=offset
    )
    items = tuple(
        ConversationLink(c.id, c.title or "New chat", c.updated_at, c.visibility == "shared")
        for c in rows[:SIDEBAR_PAGE]
    )
    return Page(items, offset + SIDEBAR_PAGE if len(rows) > SIDEBAR_PAGE else None)
