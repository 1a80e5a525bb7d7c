"""What every page handler needs: the caller, the CSRF check for forms, the membership gate.

Pages never answer 401: a signed-out visitor is sent to ``/login?next=...``. A workspace the
caller does not belong to is a 404, exactly as in the JSON API; admin pages also answer 404 (not
403) to members and viewers, so the console's existence is not advertised to them.
"""

from __future__ import annotations

import hmac
import uuid
from typing import Any
from urllib.parse import quote

from litestar import Request
from litestar.datastructures import FormMultiDict
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts.principal import (
    SAFE_METHODS,
    CsrfFailed,
    Principal,
    client_ip,
    optional_principal,
)
from workspace.audit.service import Actor
from workspace.errors import NotFound
from workspace.teams.guards import Member, membership
from workspace.teams.roles import Permission

CSRF_FIELD = "csrf_token"
HTMX_HEADER = "hx-request"


class LoginRequired(Exception):
    """Raised by page handlers for a signed-out visitor; turned into a redirect to /login."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get(HTMX_HEADER) == "true"


def safe_next(value: str | None, default: str = "/") -> str:
    """Only same-site paths: ``//evil.example`` or ``https://...`` would be an open redirect."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


def login_url(next_path: str) -> str:
    return f"/login?next={quote(next_path, safe='/')}"


async def form_of(request: Request[Any, Any, Any]) -> FormMultiDict:
    form: FormMultiDict = await request.form()
    return form


def field(form: FormMultiDict, name: str, max_length: int = 1000) -> str:
    value = form.get(name)
    return value.strip()[:max_length] if isinstance(value, str) else ""


async def check_page_csrf(request: Request[Any, Any, Any], principal: Principal) -> None:
    """A cookie-authenticated write carries the session's token: form field or HTMX header."""
    if principal.via != "session" or request.method in SAFE_METHODS:
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        sent = field(await form_of(request), CSRF_FIELD, 200)
    if not principal.csrf_token or not hmac.compare_digest(sent, principal.csrf_token):
        raise CsrfFailed("This form has expired. Reload the page and try again.")


async def page_principal(request: Request[Any, Any, Any], db: AsyncSession) -> Principal:
    """The signed-in caller (CSRF-checked on writes), or a redirect to the sign-in page."""
    principal = await optional_principal(request, db)
    if principal is None:
        target = request.url.path if request.method in SAFE_METHODS else "/"
        raise LoginRequired(target)
    await check_page_csrf(request, principal)
    return principal


async def page_member(
    request: Request[Any, Any, Any], db: AsyncSession, ws_id: uuid.UUID
) -> Member:
    """The caller as a member of ``ws_id``, holding the route's declared permission.

    Lacking the permission on a page is a 404 (like not being a member): pages hide what a
    role cannot use instead of showing a door marked "forbidden".
    """
    permission = request.route_handler.opt.get("access")
    if not isinstance(permission, Permission):
        raise RuntimeError("a workspace page must declare a Permission in opt['access']")
    principal = await page_principal(request, db)
    member = await membership(db, principal, ws_id)
    if member is None or not member.can(permission):
        raise NotFound("No such page.")
    return member


def can_map(member: Member) -> dict[str, bool]:
    """``can['projects.write']`` and friends, for templates deciding which controls to show."""
    return {str(p): member.can(p) for p in Permission}


def actor_of(request: Request[Any, Any, Any], principal: Principal, trust_xff: bool) -> Actor:
    return Actor(principal.user_id, client_ip(request, trust_xff))
