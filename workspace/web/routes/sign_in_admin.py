"""The admin console's sign-in tab: require SSO or two-factor, and map IdP groups to roles.

The group mapping is typed one ``group = role`` per line (roles: viewer, member, admin); it is
applied to each person at their next SSO login with the chosen provider. A policy that the
admin's own sign-in would not meet is refused, so nobody locks themselves out.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts.principal import client_ip
from workspace.audit.service import Actor
from workspace.config.settings import Settings
from workspace.errors import InvalidInput
from workspace.sso.groups import MAPPABLE_ROLES, group_roles
from workspace.sso.policy import caller_keeps_access, policy_of, save_policy, validated_change
from workspace.sso.providers import configured
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P
from workspace.teams.roles import Role
from workspace.web.pages import field, form_of
from workspace.web.shell import shell_context

PAGE = "/w/{ws_id:uuid}/admin/sign-in"


def parse_group_roles(text: str, max_lines: int) -> dict[str, Role]:
    """``group = role`` lines into a mapping; a bad line is refused with its number."""
    mapping: dict[str, Role] = {}
    for number, line in enumerate(text.splitlines()[: max_lines + 1], start=1):
        if not line.strip():
            continue
        if number > max_lines:
            raise InvalidInput(f"At most {max_lines} lines.", extra={"field": "groups"})
        group, sep, role = line.rpartition("=")
        group, role = group.strip(), role.strip().lower()
        allowed = {r.value for r in MAPPABLE_ROLES}
        if not sep or not group or len(group) > 255 or role not in allowed:
            raise InvalidInput(
                f"Line {number}: write 'group = role' with a role of viewer, member or admin.",
                extra={"field": "groups"},
            )
        mapping[group] = Role(role)
    return mapping


async def _context(
    db: AsyncSession, member: Member, settings: Settings, **extra: object
) -> dict[str, Any]:
    policy = await policy_of(db, member.workspace_id)
    mapping = await group_roles(db, member.workspace_id)
    return await shell_context(db, member, "admin") | {
        "tab": "sign-in",
        "providers": configured(settings).items,
        "policy": policy,
        "groups_text": "\n".join(f"{g} = {r.value}" for g, r in sorted(mapping.items())),
        "saved": False,
        "error": None,
        **extra,
    }


@get(PAGE, opt={"access": P.MEMBERS_MANAGE}, include_in_schema=False)
async def sign_in_settings(member: Member, db: AsyncSession, settings: Settings) -> Template:
    """The workspace's sign-in settings."""
    return Template("admin/sign_in.html", context=await _context(db, member, settings))


@post(PAGE, opt={"access": P.MEMBERS_MANAGE}, include_in_schema=False)
async def save_sign_in_settings(
    request: Request[Any, Any, Any], member: Member, db: AsyncSession, settings: Settings
) -> Template:
    """Save the policy and group mapping (audited as ``sign_in.policy_updated``)."""
    form = await form_of(request)
    try:
        change = validated_change(
            configured(settings),
            require_sso=field(form, "require_sso", 5) == "on",
            require_two_factor=field(form, "require_two_factor", 5) == "on",
            sso_provider=field(form, "sso_provider", 64) or None,
            group_roles=parse_group_roles(field(form, "groups", 60_000), settings.sso_max_groups),
            max_groups=settings.sso_max_groups,
        )
        await caller_keeps_access(db, member.principal, change)
    except InvalidInput as exc:
        context = await _context(db, member, settings, error=exc.detail,
                                 groups_text=field(form, "groups", 60_000))  # fmt: skip
        return Template("admin/sign_in.html", context=context, status_code=exc.status)
    actor = Actor(member.principal.user_id, client_ip(request, settings.trust_forwarded_for))
    await save_policy(db, actor, member.workspace_id, change)
    context = await _context(db, member, settings, saved=True)
    return Template("admin/sign_in.html", context=context)


SIGN_IN_ADMIN_PAGES = [sign_in_settings, save_sign_in_settings]
