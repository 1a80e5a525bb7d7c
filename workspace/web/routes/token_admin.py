"""The admin console's API tokens tab: every member's tokens for this workspace, revocable, and
a form to make one of your own for this workspace (its secret shown once, on this response).

The same as ``/api/workspaces/{ws}/tokens`` (:mod:`workspace.teams.token_routes`), for people.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time
from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts import service, tokens
from workspace.accounts.principal import client_ip
from workspace.audit.service import Actor
from workspace.config.settings import Settings
from workspace.db.columns import utcnow
from workspace.errors import AppError, InvalidInput
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P
from workspace.web.pages import field, form_of
from workspace.web.shell import shell_context

PAGE = "/w/{ws_id:uuid}/admin/tokens"
SCOPES = {"api": "Full API", "models": "List models only"}


async def _page(db: AsyncSession, member: Member, status: int = 200, **extra: object) -> Template:
    context = await shell_context(db, member, "admin") | {
        "tab": "tokens",
        "tokens": await tokens.workspace_tokens(db, member.workspace_id),
        "scopes": SCOPES,
        "secret": None,
        "error": None,
        **extra,
    }
    return Template("admin/tokens.html", context=context, status_code=status)


def _expiry(text: str) -> datetime | None:
    """A date (``YYYY-MM-DD``): the token works until that day ends, UTC."""
    if not text:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise InvalidInput("Write the expiry date as YYYY-MM-DD.") from None
    ends = datetime.combine(day, time.max, tzinfo=UTC)
    if ends <= utcnow():
        raise InvalidInput("The expiry date must be in the future.")
    return ends


@get(PAGE, opt={"access": P.MEMBERS_MANAGE}, include_in_schema=False)
async def token_list(member: Member, db: AsyncSession) -> Template:
    """Every member's live tokens for this workspace."""
    return await _page(db, member)


@post(PAGE, opt={"access": P.MEMBERS_MANAGE}, include_in_schema=False)
async def token_create(
    request: Request[Any, Any, Any], member: Member, db: AsyncSession, settings: Settings
) -> Template:
    """Make a token of your own for this workspace; its secret is on this page once."""
    form = await form_of(request)
    scope = field(form, "scope", 16)
    try:
        if scope not in SCOPES:
            raise InvalidInput("Choose a scope.")
        grant = service.TokenGrant(member.workspace_id, scope, _expiry(field(form, "expires", 10)))
        actor = Actor(member.principal.user_id, client_ip(request, settings.trust_forwarded_for))
        name = field(form, "name", 200) or "token"
        issued = await service.create_api_token(
            db, settings, actor, member.principal.user_id, name, grant
        )
    except AppError as exc:
        return await _page(db, member, exc.status, error=exc.detail)
    return await _page(db, member, secret=issued.secret)


@post(PAGE + "/{token_id:uuid}/revoke", opt={"access": P.MEMBERS_MANAGE}, include_in_schema=False)
async def token_revoke(
    request: Request[Any, Any, Any],
    token_id: uuid.UUID,
    member: Member,
    db: AsyncSession,
    settings: Settings,
) -> Redirect:
    """Revoke a member's token for this workspace."""
    actor = Actor(member.principal.user_id, client_ip(request, settings.trust_forwarded_for))
    await tokens.revoke_workspace_token(db, actor, member.workspace_id, token_id)
    return Redirect(f"/w/{member.workspace_id}/admin/tokens", status_code=303)


TOKEN_ADMIN_PAGES = [token_list, token_create, token_revoke]
