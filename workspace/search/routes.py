"""``GET /api/workspaces/{ws}/search``: the search box's API."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec
from litestar import Router, get
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.config.settings import Settings
from workspace.errors import InvalidInput
from workspace.search.service import SearchScope, search
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P


class SnippetPart(msgspec.Struct):
    text: str
    hit: bool


class SearchHitOut(msgspec.Struct):
    conversation_id: uuid.UUID
    title: str
    updated_at: datetime
    project_id: uuid.UUID | None
    message_id: uuid.UUID | None
    snippet: list[SnippetPart]
    rank: float


@get("/", opt={"access": P.CONVERSATIONS_READ}, operation_id="search_conversations")
async def search_conversations(
    member: Member,
    db: AsyncSession,
    settings: Settings,
    q: str = "",
    project_id: uuid.UUID | None = None,
    limit: int = 20,
) -> list[SearchHitOut]:
    """Conversations the caller may see whose title or messages hold every word of ``q``
    (each word also as a prefix), best match first, with a highlighted snippet."""
    if len(q) > settings.search_query_max_chars:
        raise InvalidInput(f"A search is at most {settings.search_query_max_chars} characters.")
    if not 1 <= limit <= settings.search_results_max:
        raise InvalidInput(f"limit must be between 1 and {settings.search_results_max}.")
    scope = SearchScope(member.workspace_id, member.principal.user_id, project_id)
    hits = await search(db, scope, q, limit=limit, max_terms=settings.search_max_terms)
    return [
        SearchHitOut(
            h.conversation_id,
            h.title,
            h.updated_at,
            h.project_id,
            h.message_id,
            [SnippetPart(f.text, f.hit) for f in h.snippet],
            h.rank,
        )
        for h in hits
    ]


search_router = Router(
    "/api/workspaces/{ws_id:uuid}/search",
    route_handlers=[search_conversations],
    tags=["search"],
)
