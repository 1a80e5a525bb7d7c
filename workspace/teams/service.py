"""Workspaces, memberships and invites.

Invariant kept here: a workspace always has at least one owner. Before a role change, removal
or leave, :func:`_lock_memberships` locks every owner's membership row plus the actor's and the
target's, in one fixed order (by user id). Two owners demoting each other at the same moment
therefore queue up instead of deadlocking: the first wins, the second then sees one owner left
and is refused with ``last_owner``. Decisions are re-made on the rows as locked, never on the
role the request's guard read before the wait.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts.models import User
from workspace.accounts.principal import Principal
from workspace.accounts.secrets import new_token, token_hash
from workspace.audit.actions import AuditAction
from workspace.audit.service import Actor, record
from workspace.db.columns import utcnow
from workspace.errors import AppError, Conflict, NotFound
from workspace.teams.guards import Member, MissingPermission
from workspace.teams.models import Invite, Membership, Workspace
from workspace.teams.roles import Permission, Role, allows, can_assign


class LastOwner(Conflict):
    code = "last_owner"


class InviteInvalid(AppError):
    code = "invite_invalid"


class AlreadyMember(Conflict):
    code = "already_member"


async def create_workspace(
    session: AsyncSession, actor: Actor, owner_id: uuid.UUID, name: str
) -> Workspace:
    workspace = Workspace(name=name.strip(), created_by=owner_id)
    session.add(workspace)
    await session.flush()
    session.add(Membership(workspace_id=workspace.id, user_id=owner_id, role=Role.OWNER))
    await record(
        session,
        actor,
        AuditAction.WORKSPACE_CREATED,
        target_type="workspace",
        target_id=workspace.id,
        workspace_id=workspace.id,
    )
    await session.flush()
    return workspace


async def list_workspaces(
    session: AsyncSession, user_id: uuid.UUID
) -> Sequence[tuple[Workspace, Membership]]:
    stmt = (
        select(Workspace, Membership)
        .join(Membership, col(Membership.workspace_id) == col(Workspace.id))
        .where(Membership.user_id == user_id)
        .order_by(col(Workspace.created_at))
    )
    return (await session.exec(stmt)).all()


async def get_workspace(session: AsyncSession, member: Member) -> Workspace:
    workspace = await session.get(Workspace, member.workspace_id)
    if workspace is None:
        raise NotFound("No such workspace.")
    return workspace


async def rename_workspace(
    session: AsyncSession, actor: Actor, member: Member, name: str
) -> Workspace:
    workspace = await get_workspace(session, member)
    workspace.name = name.strip()
    session.add(workspace)
    await record(
        session,
        actor,
        AuditAction.WORKSPACE_RENAMED,
        target_type="workspace",
        target_id=workspace.id,
        workspace_id=workspace.id,
        details={"name": workspace.name},
    )
    await session.flush()
    return workspace


async def list_members(
    session: AsyncSession, workspace_id: uuid.UUID
) -> Sequence[tuple[Membership, User]]:
    stmt = (
        select(Membership, User)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(Membership.workspace_id == workspace_id)
        .order_by(col(Membership.created_at))
    )
    return (await session.exec(stmt)).all()


async def _lock_memberships(
    session: AsyncSession, workspace_id: uuid.UUID, user_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Membership]:
    """Lock the workspace's owner rows and ``user_ids``' rows, always in user-id order.

    One statement, one order for every caller: PostgreSQL takes the row locks in the ``ORDER BY``
    order, so any two membership changes in a workspace acquire their locks in the same sequence
    and one simply waits for the other. ``populate_existing`` replaces what the session already
    holds (the access guard loaded the actor's row before the wait) with the rows as locked.
    """
    stmt = (
        select(Membership)
        .where(
            Membership.workspace_id == workspace_id,
            sa.or_(col(Membership.role) == Role.OWNER, col(Membership.user_id).in_(set(user_ids))),
        )
        .order_by(col(Membership.user_id))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {row.user_id: row for row in (await session.exec(stmt)).all()}


def _target(rows: dict[uuid.UUID, Membership], user_id: uuid.UUID) -> Membership:
    row = rows.get(user_id)
    if row is None:
        raise NotFound("No such member.")
    return row


def _acting_role(rows: dict[uuid.UUID, Membership], member: Member) -> Role:
    """The actor's role as locked now: the guard's copy may predate a concurrent change."""
    row = rows.get(member.principal.user_id)
    if row is None:
        raise NotFound("No such workspace.")
    return Role(row.role)


def _ensure_other_owner(rows: dict[uuid.UUID, Membership], leaving_owner: uuid.UUID) -> None:
    """Refuse unless an owner other than ``leaving_owner`` remains (``rows`` hold every owner)."""
    if not any(r.role == Role.OWNER and r.user_id != leaving_owner for r in rows.values()):
        raise LastOwner("A workspace needs an owner: make someone else owner first.")


async def users_by_id(
    session: AsyncSession, user_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, User]:
    """The accounts behind a set of ids (one query); ids without an account are left out."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    rows = await session.exec(select(User).where(col(User.id).in_(wanted)))
    return {u.id: u for u in rows.all()}


async def change_role(
    session: AsyncSession, actor: Actor, member: Member, user_id: uuid.UUID, role: Role
) -> Membership:
    rows = await _lock_memberships(
        session, member.workspace_id, {member.principal.user_id, user_id}
    )
    target = _target(rows, user_id)
    current = Role(target.role)
    if not can_assign(member.role, current, role):
        raise MissingPermission(f"Your role ({member.role}) cannot change an {current} to {role}.")
    if current is Role.OWNER and role is not Role.OWNER:
        _ensure_other_owner(rows, user_id)
    acting = _acting_role(rows, member)
    if not can_assign(acting, current, role):
        raise MissingPermission(f"Your role ({acting}) cannot change an {current} to {role}.")
    target.role = role
    session.add(target)
    await record(
        session,
        actor,
        AuditAction.MEMBER_ROLE_CHANGED,
        target_type="user",
        target_id=user_id,
        workspace_id=member.workspace_id,
        details={"from": current, "to": role},
    )
    await session.flush()
    return target


async def remove_member(
    session: AsyncSession, actor: Actor, member: Member, user_id: uuid.UUID
) -> None:
    """Remove someone (needs members.manage), or leave (anyone may remove themself)."""
    leaving = user_id == member.principal.user_id
    if not leaving:
        member.require(Permission.MEMBERS_MANAGE)
    rows = await _lock_memberships(
        session, member.workspace_id, {member.principal.user_id, user_id}
    )
    target = _target(rows, user_id)
    current = Role(target.role)
    if not leaving and not can_assign(member.role, current, Role.VIEWER):
        raise MissingPermission(f"Your role ({member.role}) cannot remove an {current}.")
    if current is Role.OWNER:
        _ensure_other_owner(rows, user_id)
    acting = _acting_role(rows, member)
    if not leaving and not (
        allows(acting, Permission.MEMBERS_MANAGE) and can_assign(acting, current, Role.VIEWER)
    ):
        raise MissingPermission(f"Your role ({acting}) cannot remove an {current}.")
    await session.delete(target)
    await record(
        session,
        actor,
        AuditAction.MEMBER_LEFT if leaving else AuditAction.MEMBER_REMOVED,
        target_type="user",
        target_id=user_id,
        workspace_id=member.workspace_id,
        details={"role": current},
    )
    await session.flush()


@dataclass(frozen=True)
class IssuedInvite:
    invite: Invite
    token: str


async def create_invite(
    session: AsyncSession,
    actor: Actor,
    member: Member,
    role: Role,
    email: str | None,
    ttl: timedelta,
) -> IssuedInvite:
    if not can_assign(member.role, None, role):
        raise MissingPermission(f"Your role ({member.role}) cannot invite an {role}.")
    raw = new_token()
    invite = Invite(
        workspace_id=member.workspace_id,
        email=email.strip().lower() if email else None,
        role=role,
        token_hash=token_hash(raw),
        created_by=member.principal.user_id,
        expires_at=utcnow() + ttl,
    )
    session.add(invite)
    await session.flush()
    await record(
        session,
        actor,
        AuditAction.INVITE_CREATED,
        target_type="invite",
        target_id=invite.id,
        workspace_id=member.workspace_id,
        details={"role": role, "email": invite.email},
    )
    await session.flush()
    return IssuedInvite(invite, raw)


async def list_invites(session: AsyncSession, workspace_id: uuid.UUID) -> Sequence[Invite]:
    stmt = (
        select(Invite)
        .where(Invite.workspace_id == workspace_id)
        .order_by(col(Invite.created_at).desc())
    )
    return (await session.exec(stmt)).all()


def invite_status(invite: Invite) -> str:
    if invite.accepted_at:
        return "accepted"
    if invite.revoked_at:
        return "revoked"
    return "expired" if invite.expires_at <= utcnow() else "pending"


@dataclass(frozen=True)
class InviteView:
    """What the invite page tells whoever holds the link: who asks them where, and whether the
    link still works. Never the token, and never the invitee's address (only whether it is set)."""

    workspace_name: str
    inviter_name: str
    role: str
    status: str
    for_email: str | None

    @property
    def usable(self) -> bool:
        return self.status == "pending"

    def meant_for(self, email: str) -> bool:
        return self.for_email is None or self.for_email == email.strip().lower()


async def describe_invite(session: AsyncSession, raw_token: str) -> InviteView | None:
    """The invite behind a raw token, for its page; ``None`` if no invite has that token."""
    stmt = (
        select(Invite, Workspace.name, User.name)
        .join(Workspace, col(Workspace.id) == col(Invite.workspace_id))
        .join(User, col(User.id) == col(Invite.created_by))
        .where(Invite.token_hash == token_hash(raw_token))
    )
    row = (await session.exec(stmt)).first()
    if row is None:
        return None
    invite, workspace_name, inviter_name = row
    return InviteView(
        workspace_name, inviter_name, invite.role, invite_status(invite), invite.email
    )


async def revoke_invite(
    session: AsyncSession, actor: Actor, member: Member, invite_id: uuid.UUID
) -> None:
    stmt = select(Invite).where(Invite.id == invite_id, Invite.workspace_id == member.workspace_id)
    invite = (await session.exec(stmt)).first()
    if invite is None:
        raise NotFound("No such invite.")
    if invite_status(invite) == "pending":
        invite.revoked_at = utcnow()
        session.add(invite)
        await record(
            session,
            actor,
            AuditAction.INVITE_REVOKED,
            target_type="invite",
            target_id=invite.id,
            workspace_id=member.workspace_id,
        )
    await session.flush()


async def accept_invite(
    session: AsyncSession, actor: Actor, principal: Principal, raw_token: str
) -> Membership:
    """Use an invite once: the UPDATE claims it atomically, so a second use finds nothing."""
    now = utcnow()
    claim = (
        sa.update(Invite)
        .where(
            col(Invite.token_hash) == token_hash(raw_token),
            col(Invite.accepted_at).is_(None),
            col(Invite.revoked_at).is_(None),
            col(Invite.expires_at) > now,
            sa.or_(col(Invite.email).is_(None), col(Invite.email) == principal.email),
        )
        .values(accepted_at=now, accepted_by=principal.user_id)
        .returning(col(Invite.id), col(Invite.workspace_id), col(Invite.role))
    )
    row = (await session.execute(claim)).first()
    if row is None:
        raise InviteInvalid("This invite link is invalid, used, expired or meant for someone else.")
    invite_id, workspace_id, role = row
    existing = await session.get(Membership, (workspace_id, principal.user_id))
    if existing is not None:
        await session.rollback()
        raise AlreadyMember("You are already a member of this workspace.")
    membership = Membership(workspace_id=workspace_id, user_id=principal.user_id, role=role)
    session.add(membership)
    await record(
        session,
        actor,
        AuditAction.INVITE_ACCEPTED,
        target_type="invite",
        target_id=invite_id,
        workspace_id=workspace_id,
        details={"role": role},
    )
    await session.flush()
    return membership
