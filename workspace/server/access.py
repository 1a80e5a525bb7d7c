"""The one guard every route goes through: it enforces the route's ``opt["access"]``.

Each route declares ``"public"``, ``"authenticated"`` or a
:class:`~workspace.teams.roles.Permission`; the guard is attached to the app itself, so no route
can forget it (a test walks every route). For anything but a public route it signs the caller in
(with the CSRF check of cookie-authenticated writes); for a Permission it also checks the
membership in the ``ws_id`` workspace of the path. What it admitted is left on the request for
the ``principal`` and ``member`` dependencies, so handlers never check by hand. A route addressed
by a resource instead (``/api/conversations/{conversation_id}``) names its workspace only once
that resource is loaded: its resource dependency (:mod:`workspace.chat.access`) checks the
Permission there, for the caller the guard signed in.

The JSON API answers 401 to a signed-out caller and 403 to a member without the permission. Pages
(``opt["page"]``, set by the pages router) send a signed-out visitor to ``/login?next=...`` and
answer 404 to a member without the permission, as to a stranger.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts.dependencies import remember_principal
from workspace.accounts.principal import (
    SCOPE_OPT,
    Principal,
    check_csrf,
    credential_key,
    require_principal,
    require_scope,
)
from workspace.runtime.dependencies import AUTHENTICATED, PUBLIC, runtime_of
from workspace.runtime.lookups import LookupCache
from workspace.sso.policy import enforce as enforce_sign_in_policy
from workspace.sso.policy import enforce_account_factor
from workspace.teams.guards import Member, admit, membership, remember_member
from workspace.teams.roles import Permission
from workspace.web.pages import PAGE_OPT, check_page_csrf, page_principal

Access = str | Permission


def declared_access(handler: BaseRouteHandler) -> Access:
    """The route's declared access; a route without one is a bug, refused rather than served."""
    access = handler.opt.get("access")
    if access in (PUBLIC, AUTHENTICATED) or isinstance(access, Permission):
        return access
    raise RuntimeError(f"route {handler} declares no opt['access']")


async def _admit(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    access: Access,
    *,
    page: bool,
    scope: str,
    cache: LookupCache | None,
) -> None:
    generation = cache.generation if cache else 0
    principal: Principal = await (
        page_principal(request, db) if page else require_principal(request, db)
    )
    require_scope(principal, scope)
    await enforce_account_factor(db, principal)
    remember_principal(request, principal)
    key = credential_key(request)
    if cache is not None and key is not None:
        cache.put(("principal", key), principal, generation, principal.expires_at)
    ws_id = request.path_params.get("ws_id")
    if isinstance(access, Permission) and isinstance(ws_id, uuid.UUID):
        found = await membership(db, principal, ws_id)
        remember_member(request, admit(found, access, hide_forbidden=page))
        # The workspace's sign-in policy (require SSO / two-factor), once membership is known.
        await enforce_sign_in_policy(db, principal, ws_id)
        if cache is not None and key is not None and found is not None:
            cache.put(("member", key, ws_id), found, generation, principal.expires_at)


async def _admit_cached(
    request: Request[Any, Any, Any], cache: LookupCache, access: Access, *, page: bool, scope: str
) -> bool:
    """Admit from what this replica admitted a moment ago (no database round trip), if it can."""
    key = credential_key(request)
    principal: Principal | None = cache.get(("principal", key)) if key else None
    if principal is None:
        return False
    ws_id = request.path_params.get("ws_id")
    found: Member | None = None
    if isinstance(access, Permission) and isinstance(ws_id, uuid.UUID):
        found = cache.get(("member", key, ws_id))
        if found is None:
            return False
    if page:
        await check_page_csrf(request, principal)
    else:
        check_csrf(request, principal)
    require_scope(principal, scope)
    remember_principal(request, principal)
    if found is not None and isinstance(access, Permission):
        remember_member(request, admit(found, access, hide_forbidden=page))
    return True


async def require_access(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """Admit the caller to ``handler`` as its ``opt["access"]`` says, or refuse."""
    if connection.scope.get("method") == "OPTIONS":
        return  # Litestar's own preflight answer: which methods exist, nothing else
    access = declared_access(handler)
    if access == PUBLIC:
        return
    if not isinstance(connection, Request):
        raise RuntimeError("only HTTP routes are served")
    runtime = runtime_of(connection.app.state)
    page, scope = bool(handler.opt.get(PAGE_OPT)), str(handler.opt.get(SCOPE_OPT, "api"))
    cache = runtime.live_lookups()
    if cache is not None and await _admit_cached(connection, cache, access, page=page, scope=scope):
        return
    # Its own short session: the request's unit of work (``db``) starts after the guards.
    async with runtime.sessionmaker() as db:
        await _admit(connection, db, access, page=page, scope=scope, cache=cache)
