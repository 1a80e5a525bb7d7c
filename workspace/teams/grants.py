"""Memberships given by the system rather than by a person (IdP groups, see
:mod:`workspace.sso.groups`): read one, set its role, or take it away. Owners are never touched
here: ownership only moves through :func:`workspace.teams.service.change_role`.
"""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.teams.models import Membership
from workspace.teams.roles import Role


async def current_role(
    session: AsyncSession, workspace_id: uuid.UUID, user_id: uuid.UUID
) -> Role | None:
    """The user's role in the workspace, or None when not a member."""
    row = await session.get(Membership, (workspace_id, user_id))
    return Role(row.role) if row else None


async def set_granted_role(
    session: AsyncSession, workspace_id: uuid.UUID, user_id: uuid.UUID, role: Role | None
) -> None:
    """Make the user a member with ``role`` (None: not a member); an owner stays as is."""
    if role is Role.OWNER:
        raise ValueError("ownership is never granted by the system")
    row = await session.get(Membership, (workspace_id, user_id))
    if row is not None and row.role == Role.OWNER.value:
        return
    if role is None:
        if row is not None:
            await session.delete(row)
    elif row is None:
        session.add(Membership(workspace_id=workspace_id, user_id=user_id, role=role.value))
    else:
        row.role = role.value
        session.add(row)
    await session.flush()
