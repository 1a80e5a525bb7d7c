"""The membership check every workspace route goes through.

The route's ``opt["access"]`` names the permission; the workspace comes from the ``ws_id`` path
parameter. Not a member (or no such workspace) is a 404, so ids of other tenants reveal nothing;
a member without the permission gets a 403.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from litestar import Request
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts.principal import Principal
from workspace.errors import Forbidden, NotFound
from workspace.teams.models import Membership
from workspace.teams.roles import Permission, Role, allows


class MissingPermission(Forbidden):
    code = "permission_denied"


@dataclass(frozen=True)
class Member:
    """The caller as a member of one workspace."""

    principal: Principal
    workspace_id: uuid.UUID
    role: Role

    def can(self, permission: Permission) -> bool:
        return allows(self.role, permission)

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise MissingPermission(
                f"Your role ({self.role}) does not allow {permission}.",
                extra={"permission": str(permission)},
            )


async def membership(
    session: AsyncSession, principal: Principal, workspace_id: uuid.UUID
) -> Member | None:
    stmt = select(Membership).where(
        Membership.workspace_id == workspace_id, Membership.user_id == principal.user_id
    )
    row = (await session.exec(stmt)).first()
    return Member(principal, workspace_id, Role(row.role)) if row else None


async def require_member(
    session: AsyncSession, principal: Principal, workspace_id: uuid.UUID, permission: Permission
) -> Member:
    member = await membership(session, principal, workspace_id)
    if member is None:
        raise NotFound("No such workspace.")
    member.require(permission)
    return member


async def provide_member(
    request: Request[Any, Any, Any], db: AsyncSession, principal: Principal, ws_id: uuid.UUID
) -> Member:
    access = request.route_handler.opt.get("access")
    if not isinstance(access, Permission):
        raise RuntimeError("a workspace route must declare a Permission in opt['access']")
    try:
        return await require_member(db, principal, ws_id, access)
    except BaseException:
        # Litestar does not finalize already-started generator dependencies when a later one
        # raises; hand the connection back now instead of leaving it to the garbage collector.
        await db.rollback()
        raise
