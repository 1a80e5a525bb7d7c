"""The sign-in policy over the JSON API (admins): what the admin console's Sign-in tab edits."""

from __future__ import annotations

import msgspec
from litestar import Router, get, put
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.audit.service import Actor
from workspace.config.settings import Settings
from workspace.sso.groups import group_roles
from workspace.sso.policy import caller_keeps_access, policy_of, save_policy, validated_change
from workspace.sso.providers import configured
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P
from workspace.teams.roles import Role


class SignInPolicyIO(msgspec.Struct, forbid_unknown_fields=True):
    require_sso: bool = False
    require_two_factor: bool = False
    sso_provider: str | None = None
    group_roles: dict[str, Role] = msgspec.field(default_factory=dict)


async def _current(db: AsyncSession, member: Member) -> SignInPolicyIO:
    row = await policy_of(db, member.workspace_id)
    mapping = await group_roles(db, member.workspace_id)
    if row is None:
        return SignInPolicyIO(group_roles=mapping)
    return SignInPolicyIO(row.require_sso, row.require_two_factor, row.sso_provider, mapping)


@get("/", opt={"access": P.MEMBERS_MANAGE}, operation_id="get_sign_in_policy")
async def get_sign_in_policy(member: Member, db: AsyncSession) -> SignInPolicyIO:
    """Whether the workspace requires SSO or two-factor, its provider and group roles."""
    return await _current(db, member)


@put("/", opt={"access": P.MEMBERS_MANAGE}, operation_id="put_sign_in_policy")
async def put_sign_in_policy(
    data: SignInPolicyIO, member: Member, actor: Actor, db: AsyncSession, settings: Settings
) -> SignInPolicyIO:
    """Replace the policy; refused (422) when the caller's own sign-in would not meet it."""
    change = validated_change(
        configured(settings),
        require_sso=data.require_sso,
        require_two_factor=data.require_two_factor,
        sso_provider=data.sso_provider,
        group_roles=dict(data.group_roles),
        max_groups=settings.sso_max_groups,
    )
    await caller_keeps_access(db, member.principal, change)
    await save_policy(db, actor, member.workspace_id, change)
    return await _current(db, member)


sign_in_policy_router = Router(
    "/api/workspaces/{ws_id:uuid}/sign-in-policy",
    route_handlers=[get_sign_in_policy, put_sign_in_policy],
    tags=["sign-in"],
)
