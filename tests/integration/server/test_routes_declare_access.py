"""Every route declares its access (public, authenticated, or a named permission), and the one
access guard that enforces it runs on every route."""

from __future__ import annotations

from litestar.routes import HTTPRoute

from tests.support import Stack
from workspace.runtime.dependencies import AUTHENTICATED, PUBLIC
from workspace.server.access import require_access
from workspace.server.app import create_app
from workspace.teams.roles import Permission

# Routes addressed by a resource, not a workspace: the resource's dependency checks the
# Permission in the resource's workspace (workspace.chat.access), the guard only signs in.
RESOURCE_CHECKS = {"conversation", "compare_run", "attachment"}


def test_every_route_has_an_explicit_permission_and_the_access_guard(stack: Stack) -> None:
    app = create_app(stack.settings)
    seen = 0
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            where = f"{route.path} {sorted(handler.http_methods)}"
            assert require_access in handler.resolve_guards(), f"{where} is not guarded"
            if handler.http_methods == {"OPTIONS"}:  # Litestar's own CORS preflight handler
                continue
            access = handler.opt.get("access")
            assert access in (PUBLIC, AUTHENTICATED) or isinstance(access, Permission), (
                f"{where} declares no access"
            )
            if "{ws_id" in route.path:
                assert isinstance(access, Permission), f"{route.path} needs a Permission"
            elif isinstance(access, Permission):
                takes = set(handler.parsed_fn_signature.parameters)
                assert takes & RESOURCE_CHECKS, f"{where}: no workspace to check {access} in"
            seen += 1
    assert seen > 15
