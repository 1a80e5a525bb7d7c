"""Who is calling: the principal behind a request and the actor its audit rows name.

The access guard (:mod:`workspace.server.access`) signs the caller in before the handler runs
and leaves the :class:`Principal` on the request; these dependencies only hand it over.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import Provide

from workspace.accounts.principal import Principal, client_ip
from workspace.audit.service import Actor
from workspace.config.settings import Settings

_STATE_KEY = "principal"


def remember_principal(
    connection: ASGIConnection[Any, Any, Any, Any], principal: Principal
) -> None:
    connection.state[_STATE_KEY] = principal


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The caller the access guard admitted (routes that are not public)."""
    principal = connection.state.get(_STATE_KEY)
    if not isinstance(principal, Principal):
        raise RuntimeError("a public route cannot ask for the principal")
    return principal


def caller_of(request: Request[Any, Any, Any], settings: Settings) -> tuple[Principal, Actor]:
    """The principal and the actor its audit rows name, for a handler that takes them off the
    request rather than as two dependencies (why: :mod:`workspace.runtime.dependencies`)."""
    principal = principal_of(request)
    return principal, provide_actor(request, principal, settings)


async def provide_principal(request: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    return principal_of(request)


def provide_actor(
    request: Request[Any, Any, Any], principal: Principal, settings: Settings
) -> Actor:
    return Actor(principal.user_id, client_ip(request, settings.trust_forwarded_for))


CALLER_DEPENDENCIES = {
    "principal": Provide(provide_principal),
    "actor": Provide(provide_actor, sync_to_thread=False),
}
