"""The sidebar's search box and its results page.

Typing in the box asks for ``/w/{ws}/search`` through htmx and swaps the results fragment under
it; without JavaScript the same URL is a full page. Both read the search service the API uses
(:mod:`workspace.search.service`), so they rank and hide exactly what the API does.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, get
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.config.settings import Settings
from workspace.search.service import SearchScope, search
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P
from workspace.web.pages import is_htmx
from workspace.web.shell import shell_context

RESULTS_SHOWN = 20


@get("/w/{ws_id:uuid}/search", opt={"access": P.CONVERSATIONS_READ}, include_in_schema=False)
async def search_page(
    request: Request[Any, Any, Any],
    ws_id: uuid.UUID,
    member: Member,
    db: AsyncSession,
    settings: Settings,
    q: str = "",
) -> Template:
    """Conversations matching ``q``: a fragment for the sidebar box, or a page of its own."""
    q = q[: settings.search_query_max_chars]
    hits = await search(
        db,
        SearchScope(ws_id, member.principal.user_id),
        q,
        limit=min(RESULTS_SHOWN, settings.search_results_max),
        max_terms=settings.search_max_terms,
    )
    results = {"q": q, "hits": hits, "ws_id": ws_id}
    if is_htmx(request):
        return Template("partials/search_results.html", context=results)
    context = await shell_context(db, member, "search")
    return Template("search.html", context=context | results)


SEARCH_PAGES = [search_page]
