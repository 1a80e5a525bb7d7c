"""IdP groups to workspace roles, applied at every SSO login.

A workspace whose sign-in policy names this provider maps group names to roles (viewer, member,
admin; never owner). At each login the user's groups give the highest mapped role:

- no membership yet: one is made with that role, and remembered as given by groups;
- a membership groups gave: its role follows the groups, and it goes when no group maps any more;
- a membership from an invite, or an owner: left alone (groups never demote what a person gave).

Every change is an ``sso.group_role_changed`` audit row in that workspace.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.audit.actions import AuditAction
from workspace.audit.service import Actor, record
from workspace.sso.models import GroupGrant, GroupRole, SignInPolicy
from workspace.teams.grants import current_role, set_granted_role
from workspace.teams.roles import RANK, Role

MAPPABLE_ROLES = (Role.VIEWER, Role.MEMBER, Role.ADMIN)


def highest_role(groups: Iterable[str], mapping: dict[str, Role]) -> Role | None:
    """The highest role any of ``groups`` maps to, or None."""
    roles = [mapping[g] for g in groups if g in mapping]
    return max(roles, key=lambda r: RANK[r]) if roles else None


async def _mappings(db: AsyncSession, provider: str) -> dict[uuid.UUID, dict[str, Role]]:
    stmt = (
        select(GroupRole)
        .join(SignInPolicy, col(SignInPolicy.workspace_id) == col(GroupRole.workspace_id))
        .where(SignInPolicy.sso_provider == provider)
    )
    out: dict[uuid.UUID, dict[str, Role]] = {}
    for row in (await db.exec(stmt)).all():
        out.setdefault(row.workspace_id, {})[row.group_name] = Role(row.role)
    return out


async def apply_groups(
    db: AsyncSession, actor: Actor, user_id: uuid.UUID, provider: str, groups: Sequence[str]
) -> list[tuple[uuid.UUID, str | None]]:
    """Bring the user's group-given memberships in line with ``groups``; the changes made."""
    mappings = await _mappings(db, provider)
    grants = {
        g.workspace_id: g
        for g in (await db.exec(select(GroupGrant).where(GroupGrant.user_id == user_id))).all()
    }
    changes: list[tuple[uuid.UUID, str | None]] = []
    for ws_id in set(mappings) | set(grants):
        wanted = highest_role(groups, mappings.get(ws_id, {}))
        grant = grants.get(ws_id)
        if grant is None and await current_role(db, ws_id, user_id) is not None:
            continue  # invited, or the owner: groups leave it alone
        was = grant.role if grant else None
        await set_granted_role(db, ws_id, user_id, wanted)
        await _remember_grant(db, ws_id, user_id, grant, wanted)
        new_role = wanted.value if wanted else None
        if new_role != was:
            changes.append((ws_id, new_role))
            details: dict[str, object] = {"provider": provider, "role": new_role, "was": was}
            await record(db, actor, AuditAction.SSO_GROUP_ROLE_CHANGED, target_type="user",
                         target_id=user_id, workspace_id=ws_id, details=details)  # fmt: skip
    await db.flush()
    return changes


async def _remember_grant(
    db: AsyncSession,
    ws_id: uuid.UUID,
    user_id: uuid.UUID,
    grant: GroupGrant | None,
    wanted: Role | None,
) -> None:
    """Keep the record of which memberships groups gave in line with what was just set."""
    if wanted is None:
        if grant is not None:
            await db.delete(grant)
    elif grant is None:
        db.add(GroupGrant(workspace_id=ws_id, user_id=user_id, role=wanted.value))
    else:
        grant.role = wanted.value
        db.add(grant)


async def group_roles(db: AsyncSession, workspace_id: uuid.UUID) -> dict[str, Role]:
    """The workspace's group -> role mapping."""
    stmt = select(GroupRole).where(GroupRole.workspace_id == workspace_id)
    return {r.group_name: Role(r.role) for r in (await db.exec(stmt)).all()}


async def replace_group_roles(
    db: AsyncSession, workspace_id: uuid.UUID, mapping: dict[str, Role]
) -> None:
    """Replace the workspace's mapping (applied to each member at their next login)."""
    await db.execute(sa.delete(GroupRole).where(col(GroupRole.workspace_id) == workspace_id))
    for group, role in mapping.items():
        db.add(GroupRole(workspace_id=workspace_id, group_name=group, role=role.value))
    await db.flush()
