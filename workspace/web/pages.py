"""What every page handler needs: forms, the caller's sign-in with the CSRF check for forms.

Pages never answer 401: a signed-out visitor is sent to ``/login?next=...``. A workspace the
caller does not belong to is a 404, exactly as in the JSON API; admin pages also answer 404 (not
403) to members and viewers, so the console's existence is not advertised to them. The access
guard (:mod:`workspace.server.access`) does both for every route the pages router marks with
:data:`PAGE_OPT`; handlers declare ``principal``, ``member`` or ``actor`` and get them.
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import quote

from litestar import Request
from litestar.datastructures import FormMultiDict
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts.principal import (
    SAFE_METHODS,
    CsrfFailed,
    Principal,
    optional_principal,
)
from workspace.teams.guards import Member
from workspace.teams.roles import Permission

CSRF_FIELD = "csrf_token"
PAGE_OPT = "page"  # in a route's opt: it is a page (sign-in redirect, 404 for what a role lacks)
HTMX_HEADER = "hx-request"


class LoginRequired(Exception):
    """Raised by the access guard for a signed-out visitor; turned into a redirect to /login."""

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


def can_map(member: Member) -> dict[str, bool]:
    """``can['projects.write']`` and friends, for templates deciding which controls to show."""
    return {str(p): member.can(p) for p in Permission}
