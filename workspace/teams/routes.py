"""HTTP routes of the teams domain."""

from __future__ import annotations

import uuid
from datetime import timedelta

from litestar import Router, delete, get, patch, post, put
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts.principal import Principal
from workspace.audit.service import Actor
from workspace.config.settings import Settings
from workspace.runtime.dependencies import AUTHENTICATED
from workspace.teams import service
from workspace.teams.guards import Member
from workspace.teams.models import Invite, Membership, Workspace
from workspace.teams.roles import Permission as P
from workspace.teams.roles import Role
from workspace.teams.schemas import (
    InviteAccepted,
    InviteIn,
    InviteOut,
    MemberOut,
    RoleIn,
    WorkspaceIn,
    WorkspaceOut,
)

WS = "/{ws_id:uuid}"


def _ws_out(ws: Workspace, role: str) -> WorkspaceOut:
    return WorkspaceOut(ws.id, ws.name, ws.plan, Role(role), ws.created_at)


def _invite_out(invite: Invite, url: str | None = None, token: str | None = None) -> InviteOut:
    return InviteOut(
        invite.id,
        Role(invite.role),
        invite.email,
        invite.expires_at,
        invite.created_at,
        service.invite_status(invite),
        url,
        token,
    )


@get("/", opt={"access": AUTHENTICATED}, operation_id="list_workspaces")
async def list_workspaces(principal: Principal, db: AsyncSession) -> list[WorkspaceOut]:
    """Workspaces the caller belongs to, with their role in each (a workspace token: its own)."""
    rows = await service.list_workspaces(db, principal.user_id)
    return [_ws_out(ws, m.role) for ws, m in rows if principal.may_enter(ws.id)]


@post("/", opt={"access": AUTHENTICATED}, operation_id="create_workspace", status_code=201)
async def create_workspace(
    data: WorkspaceIn, principal: Principal, actor: Actor, db: AsyncSession
) -> WorkspaceOut:
    """Create a workspace; the caller becomes its owner."""
    ws = await service.create_workspace(db, actor, principal.user_id, data.name)
    return _ws_out(ws, Role.OWNER)


@get(WS, opt={"access": P.WORKSPACE_READ}, operation_id="get_workspace")
async def get_workspace(member: Member, db: AsyncSession) -> WorkspaceOut:
    """One workspace (404 unless the caller is a member)."""
    return _ws_out(await service.get_workspace(db, member), member.role)


@patch(WS, opt={"access": P.WORKSPACE_UPDATE}, operation_id="rename_workspace")
async def rename_workspace(
    data: WorkspaceIn, member: Member, actor: Actor, db: AsyncSession
) -> WorkspaceOut:
    """Rename a workspace."""
    return _ws_out(await service.rename_workspace(db, actor, member, data.name), member.role)


@get(WS + "/members", opt={"access": P.MEMBERS_READ}, operation_id="list_members")
async def list_members(member: Member, db: AsyncSession) -> list[MemberOut]:
    """Members of the workspace with their roles."""
    rows = await service.list_members(db, member.workspace_id)
    return [MemberOut(u.id, u.email, u.name, Role(m.role), m.created_at) for m, u in rows]


@put(WS + "/members/{user_id:uuid}/role", opt={"access": P.MEMBERS_MANAGE}, operation_id="set_role")
async def set_role(
    user_id: uuid.UUID, data: RoleIn, member: Member, actor: Actor, db: AsyncSession
) -> dict[str, str]:
    """Change a member's role (only owners grant or take away ownership)."""
    m: Membership = await service.change_role(db, actor, member, user_id, data.role)
    return {"user_id": str(m.user_id), "role": m.role}


@delete(
    WS + "/members/{user_id:uuid}", opt={"access": P.WORKSPACE_READ}, operation_id="remove_member"
)
async def remove_member(user_id: uuid.UUID, member: Member, actor: Actor, db: AsyncSession) -> None:
    """Remove a member (members.manage), or leave when it is yourself (any role)."""
    await service.remove_member(db, actor, member, user_id)


@get(WS + "/invites", opt={"access": P.INVITES_MANAGE}, operation_id="list_invites")
async def list_invites(member: Member, db: AsyncSession) -> list[InviteOut]:
    """Invites of the workspace (tokens are never shown again)."""
    return [_invite_out(i) for i in await service.list_invites(db, member.workspace_id)]


@post(WS + "/invites", opt={"access": P.INVITES_MANAGE}, operation_id="create_invite")
async def create_invite(
    data: InviteIn, member: Member, actor: Actor, db: AsyncSession, settings: Settings
) -> InviteOut:
    """Create a single-use invite link that expires (SWITCHBOARD_INVITE_TTL_HOURS)."""
    ttl = timedelta(hours=settings.invite_ttl_hours)
    issued = await service.create_invite(db, actor, member, data.role, data.email, ttl)
    url = f"{settings.resolved_public_url}/invites/{issued.token}"
    return _invite_out(issued.invite, url, issued.token)


@delete(
    WS + "/invites/{invite_id:uuid}", opt={"access": P.INVITES_MANAGE}, operation_id="revoke_invite"
)
async def revoke_invite(
    invite_id: uuid.UUID, member: Member, actor: Actor, db: AsyncSession
) -> None:
    """Revoke a pending invite."""
    await service.revoke_invite(db, actor, member, invite_id)


@post("/{token:str}/accept", opt={"access": AUTHENTICATED}, operation_id="accept_invite")
async def accept_invite(
    token: str, principal: Principal, actor: Actor, db: AsyncSession
) -> InviteAccepted:
    """Join a workspace with an invite token (single use)."""
    m = await service.accept_invite(db, actor, principal, token)
    return InviteAccepted(m.workspace_id, Role(m.role))


workspaces_router = Router(
    "/api/workspaces",
    route_handlers=[
        list_workspaces,
        create_workspace,
        get_workspace,
        rename_workspace,
        list_members,
        set_role,
        remove_member,
        list_invites,
        create_invite,
        revoke_invite,
    ],
    tags=["teams"],
)
invites_router = Router("/api/invites", route_handlers=[accept_invite], tags=["teams"])
