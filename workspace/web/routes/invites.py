"""The invite link a new member opens: sign in or sign up first, then accept."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts.principal import client_ip, optional_principal
from workspace.audit.service import Actor
from workspace.dependencies import AUTHENTICATED, PUBLIC
from workspace.errors import AppError
from workspace.settings import Settings
from workspace.teams import service as teams
from workspace.web.pages import page_principal

# The token is in the URL: keep it out of Referer headers and out of caches.
_PRIVATE = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


@get("/invites/{token:str}", opt={"access": PUBLIC}, include_in_schema=False)
async def invite_page(token: str, request: Request[Any, Any, Any], db: AsyncSession) -> Template:
    """Accept page; a signed-out visitor gets sign-in and sign-up links that come back here."""
    principal = await optional_principal(request, db)
    context = {
        "token": token,
        "me": principal,
        "csrf": principal.csrf_token if principal else "",
        "here": f"/invites/{token}",
        "error": None,
    }
    return Template("invite.html", context=context, headers=_PRIVATE)


@post("/invites/{token:str}", opt={"access": AUTHENTICATED}, include_in_schema=False)
async def invite_accept(
    token: str, request: Request[Any, Any, Any], db: AsyncSession, settings: Settings
) -> Response[Any]:
    """Join the workspace and go to it; an unusable link explains itself on the same page."""
    principal = await page_principal(request, db)
    actor = Actor(principal.user_id, client_ip(request, settings.trust_forwarded_for))
    try:
        membership = await teams.accept_invite(db, actor, principal, token)
    except AppError as exc:
        context = {
            "token": token,
            "me": principal,
            "csrf": principal.csrf_token or "",
            "here": f"/invites/{token}",
            "error": exc.detail,
        }
        return Template("invite.html", context=context, status_code=exc.status, headers=_PRIVATE)
    return Redirect(f"/w/{membership.workspace_id}", status_code=303)


INVITE_PAGES = [invite_page, invite_accept]
