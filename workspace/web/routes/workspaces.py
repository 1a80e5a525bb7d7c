"""Workspace pages: create one, its home, the paginated sidebar, new projects."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import Parameter
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts.principal import Principal
from workspace.audit.service import Actor
from workspace.errors import InvalidInput, NotFound
from workspace.projects import service as projects
from workspace.runtime.dependencies import AUTHENTICATED
from workspace.teams import service as teams
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P
from workspace.web.pages import field, is_htmx
from workspace.web.shell import shell_context
from workspace.web.sidebar import conversation_page, project_page

WS = "/w/{ws_id:uuid}"
_SIDEBAR_AND_NOTICE = (
    '{% include "partials/sidebar_projects.html" %}'
    '{% with oob=true %}{% include "partials/flash.html" %}{% endwith %}'
)
Offset = Annotated[int, Parameter(ge=0, le=1_000_000)]


@get("/workspaces/new", opt={"access": AUTHENTICATED}, include_in_schema=False)
async def new_workspace_page(principal: Principal, db: AsyncSession) -> Template:
    """Form to create a workspace (also the landing page of a brand-new account)."""
    rows = await teams.list_workspaces(db, principal.user_id)
    context = {
        "me": principal,
        "csrf": principal.csrf_token or "",
        "workspaces": [ws for ws, _ in rows],
        "error": None,
    }
    return Template("workspace_new.html", context=context)


@post("/workspaces", opt={"access": AUTHENTICATED}, include_in_schema=False)
async def create_workspace(
    principal: Principal, actor: Actor, form: FormMultiDict, db: AsyncSession
) -> Response[Any]:
    """Create a workspace (the caller becomes owner) and open it."""
    name = field(form, "name", 200)
    if not name:
        rows = await teams.list_workspaces(db, principal.user_id)
        context = {
            "me": principal,
            "csrf": principal.csrf_token or "",
            "workspaces": [ws for ws, _ in rows],
            "error": "Give the workspace a name.",
        }
        return Template("workspace_new.html", context=context, status_code=422)
    ws = await teams.create_workspace(db, actor, principal.user_id, name)
    return Redirect(f"/w/{ws.id}", status_code=303)


async def _created_notice(db: AsyncSession, ws_id: uuid.UUID, created: str | None) -> str | None:
    """ "Project X created", from the stored row named by ``?created=<id>`` (never from text
    in the URL, so a crafted link cannot put words on the page)."""
    try:
        project_id = uuid.UUID(created or "")
    except ValueError:
        return None
    try:
        project = await projects.get_project(db, ws_id, project_id)
    except NotFound:
        return None
    return f"Project “{project.name}” created."


@get(WS, opt={"access": P.WORKSPACE_READ}, include_in_schema=False)
async def workspace_home(
    member: Member,
    db: AsyncSession,
    created: Annotated[str | None, Parameter(max_length=64)] = None,
) -> Template:
    """The workspace home: projects, recent conversations, what the caller's role allows."""
    context = await shell_context(db, member, "home")
    context["notice"] = await _created_notice(db, member.workspace_id, created)
    return Template("workspace.html", context=context)


@get(WS + "/sidebar/projects", opt={"access": P.PROJECTS_READ}, include_in_schema=False)
async def sidebar_projects(
    ws_id: uuid.UUID, member: Member, db: AsyncSession, offset: Offset = 0
) -> Template:
    """The next page of sidebar projects (an HTMX fragment)."""
    page = await project_page(db, member, offset)
    return Template("partials/sidebar_projects.html", context={"ws_id": ws_id, "page": page})


@get(WS + "/sidebar/conversations", opt={"access": P.CONVERSATIONS_READ}, include_in_schema=False)
async def sidebar_conversations(
    ws_id: uuid.UUID, member: Member, db: AsyncSession, offset: Offset = 0
) -> Template:
    """The next page of sidebar conversations (an HTMX fragment)."""
    page = await conversation_page(db, member, offset)
    context = {"ws_id": ws_id, "page": page, "active": ""}
    return Template("partials/sidebar_conversations.html", context=context)


@post(WS + "/projects", opt={"access": P.PROJECTS_WRITE}, include_in_schema=False)
async def create_project(
    ws_id: uuid.UUID,
    member: Member,
    actor: Actor,
    request: Request[Any, Any, Any],
    form: FormMultiDict,
    db: AsyncSession,
) -> Response[Any]:
    """Create a project; HTMX gets the refreshed project list, a plain form a redirect."""
    name = field(form, "name", 200)
    if not name:
        raise InvalidInput("Give the project a name.")
    project = await projects.create_project(
        db, actor, member, name, field(form, "description", 2000)
    )
    if is_htmx(request):
        page = await project_page(db, member, 0)
        # The sidebar list, plus the notice swapped out of band into the shell's #flash.
        return Template(
            template_str=_SIDEBAR_AND_NOTICE,
            context={"ws_id": ws_id, "page": page, "notice": f"Project “{project.name}” created."},
            headers={"HX-Retarget": "#sidebar-projects", "HX-Reswap": "innerHTML"},
        )
    return Redirect(f"/w/{ws_id}?created={project.id}", status_code=303)


WORKSPACE_PAGES = [
    new_workspace_page,
    create_workspace,
    workspace_home,
    sidebar_projects,
    sidebar_conversations,
    create_project,
]
