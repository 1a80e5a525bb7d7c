"""The sidebar: projects and conversations of one workspace, one page at a time.

Pages stay fast with thousands of conversations because the sidebar never loads more than
:data:`SIDEBAR_PAGE` rows per list; "More" fetches the next page with HTMX. The project page
(``/w/{ws}/p/{project}``) pages through a project's conversations the same way.

The sidebar's conversations come in groups: the caller's pins first ("Pinned", on the first
page only), then the rest by last activity: Today, Yesterday, Previous 7 days, Previous 30 days,
then one group per month. Days are UTC days. Archived conversations are not in the sidebar.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Final, Generic, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.chat import organise
from workspace.chat import service as chat
from workspace.chat.models import Conversation
from workspace.db.columns import utcnow
from workspace.projects import service as projects
from workspace.teams.guards import Member
from workspace.web.organise import UNTITLED, Rights, rights_of

SIDEBAR_PAGE = 30
PINNED: Final = "Pinned"
T = TypeVar("T")


@dataclass(frozen=True)
class ConversationLink:
    """One conversation row; ``rights`` decides which menu entries the row offers."""

    id: uuid.UUID
    title: str
    updated_at: datetime | None
    shared: bool
    rights: Rights
    pinned: bool = False
    archived: bool = False
    # The sidebar heading this row sits under ("" outside the sidebar).
    group: str = ""


@dataclass(frozen=True)
class ProjectLink:
    id: uuid.UUID
    name: str


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    next_offset: int | None
    # The group heading the page before this one ended under (a page repeats no heading).
    after: str = ""


def conversation_link(
    member: Member, conversation: Conversation, *, pinned: bool = False, group: str = ""
) -> ConversationLink:
    return ConversationLink(
        conversation.id,
        conversation.title or UNTITLED,
        conversation.updated_at,
        conversation.visibility == "shared",
        rights_of(member, conversation.created_by),
        pinned,
        conversation.archived_at is not None,
        group,
    )


def date_group(moment: datetime, today: date) -> str:
    """The sidebar heading of a conversation last active at ``moment``."""
    day = moment.astimezone(UTC).date()
    age = (today - day).days
    if age <= 0:
        return "Today"
    if age == 1:
        return "Yesterday"
    if age <= 7:
        return "Previous 7 days"
    if age <= 30:
        return "Previous 30 days"
    return day.strftime("%B %Y")


async def project_page(db: AsyncSession, member: Member, offset: int) -> Page[ProjectLink]:
    rows = await projects.list_projects(db, member.workspace_id, SIDEBAR_PAGE + 1, offset)
    items = tuple(ProjectLink(p.id, p.name) for p in rows[:SIDEBAR_PAGE])
    return Page(items, offset + SIDEBAR_PAGE if len(rows) > SIDEBAR_PAGE else None)


async def conversation_page(
    db: AsyncSession, member: Member, offset: int, *, project_id: uuid.UUID | None = None
) -> Page[ConversationLink]:
    """The caller's conversations and those shared with them, newest first, never archived.

    Scoped by the chat service's query (mine + shared in this workspace). Without
    ``project_id`` this is the sidebar: pins first, then date groups (see the module). With it,
    one project's conversations, ungrouped (the caller checks the project belongs to the
    workspace).
    """
    if project_id is not None:
        rows = await chat.list_conversations(
            db, member, project_id=project_id, limit=SIDEBAR_PAGE + 1, offset=offset
        )
        items = tuple(conversation_link(member, c) for c in rows[:SIDEBAR_PAGE])
        return Page(items, offset + SIDEBAR_PAGE if len(rows) > SIDEBAR_PAGE else None)
    return await _sidebar_page(db, member, offset)


async def _sidebar_page(db: AsyncSession, member: Member, offset: int) -> Page[ConversationLink]:
    # One row before the page too, to know which heading it ended under.
    start = max(offset - 1, 0)
    rows = await chat.list_conversations(
        db,
        member,
        filters=organise.ConversationFilter(pinned=False),
        limit=SIDEBAR_PAGE + 1 + (offset - start),
        offset=start,
    )
    today = utcnow().date()
    before, rows = (rows[:1], rows[1:]) if offset > start else ([], rows)
    pins = await organise.pinned_conversations(db, member) if offset == 0 else []
    items = tuple(conversation_link(member, c, pinned=True, group=PINNED) for c in pins) + tuple(
        conversation_link(member, c, group=date_group(c.updated_at, today))
        for c in rows[:SIDEBAR_PAGE]
    )
    after = date_group(before[0].updated_at, today) if before else ""
    return Page(items, offset + SIDEBAR_PAGE if len(rows) > SIDEBAR_PAGE else None, after)
