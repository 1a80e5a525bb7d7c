"""Every route declares its access: public, authenticated, or a named permission."""

from __future__ import annotations

from litestar.routes import HTTPRoute

from tests.support import Stack
from workspace.runtime.dependencies import AUTHENTICATED, PUBLIC
from workspace.server.app import create_app
from workspace.teams.roles import Permission


def test_every_route_has_an_explicit_permission(stack: Stack) -> None:
    app = create_app(stack.settings)
    seen = 0
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith("/schema"):
            continue
        for handler in route.route_handlers:
            if handler.http_methods == {"OPTIONS"}:  # Litestar's own CORS preflight handler
                continue
            access = handler.opt.get("access")
            assert access in (PUBLIC, AUTHENTICATED) or isinstance(access, Permission), (
                f"{route.path} {handler.http_methods} declares no access"
            )
            if "{ws_id" in route.path:
                assert isinstance(access, Permission), f"{route.path} needs a Permission"
            seen += 1
    assert seen > 15
