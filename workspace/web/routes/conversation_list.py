"""The conversation list with its filters as a plain GET form: by model (one that answered in
it) and by author (who started it), over what the caller may see (:mod:`workspace.chat.organise`,
the same filters as ``GET /api/workspaces/{ws}/conversations``)."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import get
from litestar.params import Parameter
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.chat import organise
from workspace.chat import service as chat
from workspace.teams import service as teams
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P
from workspace.web.shell import shell_context
from workspace.web.sidebar import Page, conversation_link

LIST_PAGE = 50
MODEL_CHOICES = 200
Offset = Annotated[int, Parameter(ge=0, le=1_000_000)]
ModelRef = Annotated[str | None, Parameter(max_length=300)]


@get("/w/{ws_id:uuid}/conversations", opt={"access": P.CONVERSATIONS_READ}, include_in_schema=False)
async def conversation_list_page(
    member: Member,
    db: AsyncSession,
    model: ModelRef = None,
    author: uuid.UUID | None = None,
    offset: Offset = 0,
) -> Template:
    """Conversations the caller can see, newest activity first, narrowed by the form's selects."""
    wanted = organise.ConversationFilter(
        model=organise.ModelFilter.parse(model) if model else None, author_id=author
    )
    rows = await chat.list_conversations(
        db, member, filters=wanted, limit=LIST_PAGE + 1, offset=offset
    )
    items = tuple(conversation_link(member, c) for c in rows[:LIST_PAGE])
    page = Page(items, offset + LIST_PAGE if len(rows) > LIST_PAGE else None)
    authors = [
        (user.id, "You" if user.id == member.principal.user_id else user.name or user.email)
        for _, user in await teams.list_members(db, member.workspace_id)
    ]
    context = await shell_context(db, member, "conversations")
    return Template(
        "conversation_list.html",
        context=context
        | {
            "page": page,
            "models": await organise.answered_models(db, member, MODEL_CHOICES),
            "authors": authors,
            "model": model or "",
            "author": author,
            "filtered": bool(model or author),
        },
    )


CONVERSATION_LIST_PAGES = [conversation_list_page]
