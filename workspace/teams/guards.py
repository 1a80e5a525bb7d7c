"""The caller as a member of one workspace, and the membership check every workspace route needs.

The route's ``opt["access"]`` names the permission; the workspace comes from the ``ws_id`` path
parameter. The access guard (:mod:`workspace.server.access`) runs the check before the handler
and leaves the :class:`Member` on the request, where :func:`provide_member` hands it over.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts.principal import Principal
from workspace.errors import Forbidden, NotFound
from workspace.teams.models import Membership
from workspace.teams.roles import Permission, Role, allows

_STATE_KEY = "member"


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
    if not principal.may_enter(workspace_id):
        return None  # a workspace token elsewhere: as if not a member
    stmt = select(Membership).where(
        Membership.workspace_id == workspace_id, Membership.user_id == principal.user_id
    )
    row = (await session.exec(stmt)).first()
    return Member(principal, workspace_id, Role(row.role)) if row else None


def admit(member: Member | None, permission: Permission, *, hide_forbidden: bool) -> Member:
    """The member, if it may use ``permission``; refused otherwise.

    Not a member (or no such workspace) is a 404, so ids of other tenants reveal nothing. A
    member without the permission gets a 403, or, where ``hide_forbidden`` (pages), the same 404:
    pages hide what a role cannot use instead of showing a door marked "forbidden".
    """
    if hide_forbidden and (member is None or not member.can(permission)):
        raise NotFound("No such page.")
    if member is None:
        raise NotFound("No such workspace.")
    member.require(permission)
    return member


def remember_member(connection: ASGIConnection[Any, Any, Any, Any], member: Member) -> None:
    connection.state[_STATE_KEY] = member


async def provide_member(request: ASGIConnection[Any, Any, Any, Any]) -> Member:
    """The member the access guard admitted (routes whose ``opt["access"]`` is a Permission)."""
    member = request.state.get(_STATE_KEY)
    if not isinstance(member, Member):
        raise RuntimeError("a route asking for a member must declare a Permission as its access")
    return member
