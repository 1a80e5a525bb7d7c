"""HTTP routes that organise conversations: the filtered list, pins and archive.

``GET /api/workspaces/{ws}/conversations`` filters by project, model and author (AND) and lists
archived conversations with ``archived=true``; ``PUT``/``DELETE`` on ``.../pin`` and
``.../archive`` of a conversation pin it for the caller / archive it for everyone (the rules are
in :mod:`workspace.chat.organise`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Router, delete, get, put
from litestar.di import Provide
from litestar.params import Parameter
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.audit.service import Actor
from workspace.chat import organise, service
from workspace.chat.access import ConversationAccess, provide_conversation
from workspace.chat.models import Conversation
from workspace.chat.schemas import ConversationOut, conversation_out
from workspace.config.settings import Settings
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P

CONVERSATION = "/{conversation_id:uuid}"


class OrganisedConversationOut(ConversationOut):
    """A conversation as the list shows it: whether the caller pinned it, when it was archived."""

    pinned: bool = False
    archived_at: datetime | None = None


def _organised(c: Conversation, pinned: bool) -> OrganisedConversationOut:
    fields = msgspec.structs.asdict(conversation_out(c))
    return OrganisedConversationOut(**fields, pinned=pinned, archived_at=c.archived_at)


@get("/conversations", opt={"access": P.CONVERSATIONS_READ}, operation_id="list_conversations")
async def list_conversations(
    member: Member,
    db: AsyncSession,
    settings: Settings,
    project_id: uuid.UUID | None = None,
    model: Annotated[str | None, Parameter(max_length=300)] = None,
    author_id: uuid.UUID | None = None,
    archived: bool = False,
    pinned: bool | None = None,
    limit: Annotated[int, Parameter(ge=1, le=1000)] = 50,
    offset: Annotated[int, Parameter(ge=0)] = 0,
) -> list[OrganisedConversationOut]:
    """The caller's conversations and the workspace's shared ones, newest activity first.

    Filters combine: ``project_id``, ``model`` (``provider/model``: at least one answer from it),
    ``author_id`` (who started it), ``pinned`` (by the caller). Archived conversations are left
    out unless ``archived=true``, which lists only them.
    """
    filters = organise.ConversationFilter(
        project_id=project_id,
        model=organise.ModelFilter.parse(model) if model is not None else None,
        author_id=author_id,
        archived=archived,
        pinned=pinned,
    )
    rows = await service.list_conversations(
        db, member, filters=filters, limit=min(limit, settings.page_size_max), offset=offset
    )
    pins = await organise.pinned_among(db, member.principal.user_id, [c.id for c in rows])
    return [_organised(c, c.id in pins) for c in rows]


@put(CONVERSATION + "/pin", opt={"access": P.CONVERSATIONS_READ}, operation_id="pin_conversation")
async def pin_conversation(
    conversation: ConversationAccess, db: AsyncSession
) -> OrganisedConversationOut:
    """Pin to the top of your own sidebar (only yours: a shared conversation stays unpinned for
    everyone else). Pinning twice is the same as once."""
    await organise.pin(db, conversation)
    return _organised(conversation.conversation, pinned=True)


@delete(
    CONVERSATION + "/pin",
    opt={"access": P.CONVERSATIONS_READ},
    operation_id="unpin_conversation",
    status_code=200,
)
async def unpin_conversation(
    conversation: ConversationAccess, db: AsyncSession
) -> OrganisedConversationOut:
    """Take your pin off (nothing happens if there was none)."""
    await organise.unpin(db, conversation)
    return _organised(conversation.conversation, pinned=False)


async def _archive(
    db: AsyncSession, actor: Actor, access: ConversationAccess, archived: bool
) -> OrganisedConversationOut:
    updated = await organise.set_archived(db, actor, access, archived)
    pins = await organise.pinned_among(db, access.member.principal.user_id, [updated.id])
    return _organised(updated, updated.id in pins)


@put(
    CONVERSATION + "/archive",
    opt={"access": P.CONVERSATIONS_WRITE},
    operation_id="archive_conversation",
)
async def archive_conversation(
    conversation: ConversationAccess, actor: Actor, db: AsyncSession
) -> OrganisedConversationOut:
    """Archive for everyone who sees it: it leaves sidebars and the default list, nothing is
    deleted (list it with ``archived=true``; ``DELETE .../archive`` restores it)."""
    return await _archive(db, actor, conversation, archived=True)


@delete(
    CONVERSATION + "/archive",
    opt={"access": P.CONVERSATIONS_WRITE},
    operation_id="restore_conversation",
    status_code=200,
)
async def restore_conversation(
    conversation: ConversationAccess, actor: Actor, db: AsyncSession
) -> OrganisedConversationOut:
    """Bring an archived conversation back to the sidebar and the default list."""
    return await _archive(db, actor, conversation, archived=False)


organise_router = Router(
    "/api",
    route_handlers=[
        Router(
            "/conversations",
            route_handlers=[
                pin_conversation,
                unpin_conversation,
                archive_conversation,
                restore_conversation,
            ],
            dependencies={"conversation": Provide(provide_conversation)},
        ),
    ],
    tags=["chat"],
)
"""Pins and archive; the list handler is registered with the chat router, which already owns
its path (one router per path keeps Litestar's OPTIONS handler single)."""

__all__ = ["list_conversations", "organise_router"]
