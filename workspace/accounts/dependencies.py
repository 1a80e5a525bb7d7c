"""Who is calling: the principal behind a request and the actor its audit rows name."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import Provide
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts.principal import Principal, client_ip, require_principal
from workspace.audit.service import Actor
from workspace.config.settings import Settings


async def provide_principal(request: Request[Any, Any, Any], db: AsyncSession) -> Principal:
    try:
        return await require_principal(request, db)
    except BaseException:
        await db.rollback()  # see teams.guards.provide_member: return the connection now
        raise


def provide_actor(
    request: Request[Any, Any, Any], principal: Principal, settings: Settings
) -> Actor:
    return Actor(principal.user_id, client_ip(request, settings.trust_forwarded_for))


CALLER_DEPENDENCIES = {
    "principal": Provide(provide_principal),
    "actor": Provide(provide_actor, sync_to_thread=False),
}
