"""The invite link a new member opens: who invites them where, then sign in or up and accept.

The page names the workspace, the inviter and the role before anyone signs in (holding the link
is what entitles a person to know that much). A used, revoked or expired link says so and offers
no Accept button; an unknown token is a plain "not valid" page.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts.principal import Principal, optional_principal
from workspace.audit.service import Actor
from workspace.errors import AppError
from workspace.runtime.dependencies import AUTHENTICATED, PUBLIC
from workspace.teams import service as teams

# The token is in the URL: keep it out of Referer headers and out of caches.
_PRIVATE = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}

# Why a link no longer works, in the words the page uses (keys: teams.invite_status values).
UNUSABLE = {
    "accepted": "This invite has already been used.",
    "revoked": "This invite was withdrawn by the workspace.",
    "expired": "This invite has expired.",
}


def _status_code(invite: teams.InviteView | None) -> int:
    if invite is None:
        return 404
    return 200 if invite.usable else 410


async def _render(
    db: AsyncSession,
    token: str,
    principal: Principal | None,
    error: str | None = None,
    status: int | None = None,
) -> Template:
    invite = await teams.describe_invite(db, token)
    context = {
        "invite": invite,
        "unusable": UNUSABLE.get(invite.status) if invite else None,
        "wrong_person": bool(invite and principal and not invite.meant_for(principal.email)),
        "me": principal,
        "csrf": (principal.csrf_token or "") if principal else "",
        "here": f"/invites/{token}",
        "error": error,
    }
    code = status if status is not None else _status_code(invite)
    return Template("invite.html", context=context, status_code=code, headers=_PRIVATE)


@get("/invites/{token:str}", opt={"access": PUBLIC}, include_in_schema=False)
async def invite_page(token: str, request: Request[Any, Any, Any], db: AsyncSession) -> Template:
    """Accept page; a signed-out visitor gets sign-in and sign-up links that come back here."""
    return await _render(db, token, await optional_principal(request, db))


@post("/invites/{token:str}", opt={"access": AUTHENTICATED}, include_in_schema=False)
async def invite_accept(
    token: str, principal: Principal, actor: Actor, db: AsyncSession
) -> Response[Any]:
    """Join the workspace and go to it; an unusable link explains itself on the same page."""
    try:
        membership = await teams.accept_invite(db, actor, principal, token)
    except AppError as exc:
        await db.rollback()
        return await _render(db, token, principal, exc.detail, exc.status)
    return Redirect(f"/w/{membership.workspace_id}", status_code=303)


INVITE_PAGES = [invite_page, invite_accept]
