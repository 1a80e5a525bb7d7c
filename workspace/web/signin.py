"""Finishing a sign-in on the pages, however it was proven (password, second factor, SSO):
one session, its sign-in method remembered for the workspaces' policies, the cookie set.

Also the short-lived cookies that carry a sign-in between two requests (an SSO flow, a link
waiting for a password, a password waiting for its second factor): ``HttpOnly``, ``SameSite=Lax``
(the IdP's redirect back is a top-level cross-site GET), scoped to the path that reads them.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.response import Redirect
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts import service as accounts
from workspace.accounts.cookies import is_secure, session_cookie
from workspace.accounts.models import User
from workspace.accounts.secrets import token_hash
from workspace.config.settings import Settings
from workspace.sso.policy import record_sign_in

SSO_FLOW_COOKIE = "sb_sso_flow"
SSO_LINK_COOKIE = "sb_sso_link"
PENDING_COOKIE = "sb_second_factor"


def transit_cookie(
    request: Request[Any, Any, Any], settings: Settings, name: str, value: str, max_age: int
) -> Cookie:
    """A cookie carrying one step of a sign-in to the next request."""
    return Cookie(
        key=name,
        value=value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=is_secure(request, settings),
        path="/",
    )


def clear(response: Response[Any], *names: str) -> None:
    for name in names:
        response.delete_cookie(name, path="/")


async def sign_in(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    settings: Settings,
    user: User,
    *,
    ip: str | None,
    method: str,
    target: str,
    provider: str | None = None,
    second_factor: bool = False,
) -> Redirect:
    """Start the session, remember how it signed in, and send the browser on to ``target``."""
    new = await accounts.start_session(db, settings, user, ip)
    await record_sign_in(
        db, token_hash(new.cookie_token), method, provider=provider, second_factor=second_factor
    )
    return Redirect(target, status_code=303, cookies=[session_cookie(request, settings, new)])
