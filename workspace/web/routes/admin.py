"""The admin console: members and roles, invites, policy and usage.

The audit log tab lives in :mod:`workspace.web.routes.audit`; the keys tab in
:mod:`workspace.web.routes.keys`, with the "My keys" page it shares forms with.

Every URL here is a 404 for members and viewers (the access guard, :mod:`workspace.server.access`,
answers for a role that lacks the route's permission as for a stranger).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import Parameter
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.audit.actions import AuditAction
from workspace.audit.service import Actor, AuditFilter, list_events
from workspace.billing.plans import MICROS_PER_USD
from workspace.config.settings import Settings
from workspace.errors import InvalidInput
from workspace.keys.policy import get_policy, put_policy, to_io
from workspace.keys.schemas import PolicyIO
from workspace.runtime import Runtime
from workspace.teams import service as teams
from workspace.teams.guards import Member
from workspace.teams.roles import RANK, Role, can_assign
from workspace.teams.roles import Permission as P
from workspace.web.pages import field, is_htmx
from workspace.web.shell import shell_context
from workspace.web.usage import bars, usage_by_day

ADMIN = "/w/{ws_id:uuid}/admin"
USAGE_DAYS = 30
MEMBERS_DONE = ("role", "removed", "revoked")


def _role_choices(member: Member, current: Role) -> list[Role]:
    return [r for r in sorted(Role, key=RANK.__getitem__) if can_assign(member.role, current, r)]


def _a(role: Role) -> str:
    return f"an {role}" if role.value[0] in "aeiou" else f"a {role}"


async def _notice(
    db: AsyncSession, member: Member, done: str | None, user_id: uuid.UUID | None
) -> str | None:
    """The sentence confirming a change, built from what is stored now (never from the URL's
    words): "Alex is now an admin.", "Alex was removed from the workspace.", "Invite revoked."."""
    if done == "revoked":
        return "Invite revoked."
    if done not in MEMBERS_DONE or user_id is None:
        return None
    user = (await teams.users_by_id(db, [user_id])).get(user_id)
    if user is None:
        return None
    if done == "removed":
        # Only if this workspace's latest removal was theirs: a crafted link says nothing.
        last = AuditFilter(AuditAction.MEMBER_REMOVED, limit=1)
        latest = await list_events(db, member.workspace_id, last)
        if not latest or latest[0].target_id != str(user_id):
            return None
        return f"{user.name} was removed from the workspace."
    row = next(
        (m for m, u in await teams.list_members(db, member.workspace_id) if u.id == user_id), None
    )
    return f"{user.name} is now {_a(Role(row.role))}." if row else None


async def _members_context(
    db: AsyncSession, member: Member, notice: str | None = None
) -> dict[str, Any]:
    rows = await teams.list_members(db, member.workspace_id)
    members = [
        {
            "user": u,
            "role": Role(m.role),
            "joined": m.created_at,
            "choices": _role_choices(member, Role(m.role)),
            "is_me": u.id == member.principal.user_id,
        }
        for m, u in rows
    ]
    invites = await teams.list_invites(db, member.workspace_id)
    return {
        "members": members,
        "invites": [(i, teams.invite_status(i)) for i in invites],
        "invite_roles": _role_choices(member, Role.VIEWER),
        "new_invite": None,
        "notice": notice,
    }


MemberId = Annotated[str | None, Parameter(query="user", max_length=64)]


@get(ADMIN, opt={"access": P.MEMBERS_MANAGE}, include_in_schema=False)
async def admin_members(
    member: Member,
    db: AsyncSession,
    done: Annotated[str | None, Parameter(max_length=16)] = None,
    user: MemberId = None,
) -> Template:
    """Members with their roles, and the invites of the workspace (``?done=`` confirms the
    change a plain form just made)."""
    try:
        user_id = uuid.UUID(user) if user else None
    except ValueError:
        user_id = None
    notice = await _notice(db, member, done, user_id)
    context = await shell_context(db, member, "admin") | await _members_context(db, member, notice)
    return Template("admin/members.html", context=context | {"tab": "members"})


async def _members_response(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    member: Member,
    new_invite: str | None,
    done: tuple[str, uuid.UUID | None] | None = None,
) -> Response[Any]:
    """HTMX: the refreshed people fragment, the confirmation swapped into #flash. A plain form:
    a redirect whose ``?done=`` makes the page say what changed."""
    if is_htmx(request):
        notice = await _notice(db, member, *done) if done else None
        context = await _members_context(db, member, notice) | {"new_invite": new_invite}
        context |= {"workspace_id": member.workspace_id, "csrf": member.principal.csrf_token}
        return Template("admin/partials/people.html", context=context | {"oob": True})
    if new_invite is not None:
        # Without JavaScript the link is shown on a full page, once.
        context = await shell_context(db, member, "admin") | await _members_context(db, member)
        context |= {"tab": "members", "new_invite": new_invite}
        return Template(
            "admin/members.html", context=context, headers={"Cache-Control": "no-store"}
        )
    url = f"/w/{member.workspace_id}/admin"
    if done:
        what, user_id = done
        url += f"?done={what}" + (f"&user={user_id}" if user_id else "")
    return Redirect(url, status_code=303)


@post(
    ADMIN + "/members/{user_id:uuid}/role",
    opt={"access": P.MEMBERS_MANAGE},
    include_in_schema=False,
)
async def change_role(
    user_id: uuid.UUID,
    member: Member,
    actor: Actor,
    request: Request[Any, Any, Any],
    form: FormMultiDict,
    db: AsyncSession,
) -> Response[Any]:
    """Change a member's role (the teams service enforces the owner rules)."""
    raw = field(form, "role", 16)
    if raw not in {r.value for r in Role}:
        raise InvalidInput("Pick a role.")
    await teams.change_role(db, actor, member, user_id, Role(raw))
    return await _members_response(request, db, member, None, ("role", user_id))


@post(
    ADMIN + "/members/{user_id:uuid}/remove",
    opt={"access": P.MEMBERS_MANAGE},
    include_in_schema=False,
)
async def remove_member(
    user_id: uuid.UUID,
    member: Member,
    actor: Actor,
    request: Request[Any, Any, Any],
    db: AsyncSession,
) -> Response[Any]:
    """Remove a member from the workspace."""
    await teams.remove_member(db, actor, member, user_id)
    if user_id == member.principal.user_id:
        return Redirect("/", status_code=303)
    return await _members_response(request, db, member, None, ("removed", user_id))


@post(ADMIN + "/invites", opt={"access": P.INVITES_MANAGE}, include_in_schema=False)
async def create_invite(
    member: Member,
    actor: Actor,
    request: Request[Any, Any, Any],
    form: FormMultiDict,
    db: AsyncSession,
    settings: Settings,
) -> Response[Any]:
    """Create an invite; its link is shown in this response only."""
    raw_role = field(form, "role", 16) or Role.MEMBER.value
    if raw_role not in {r.value for r in Role}:
        raise InvalidInput("Pick a role.")
    email = field(form, "email", 320) or None
    ttl = timedelta(hours=settings.invite_ttl_hours)
    issued = await teams.create_invite(db, actor, member, Role(raw_role), email, ttl)
    url = f"{settings.resolved_public_url}/invites/{issued.token}"
    return await _members_response(request, db, member, url)


@post(
    ADMIN + "/invites/{invite_id:uuid}/revoke",
    opt={"access": P.INVITES_MANAGE},
    include_in_schema=False,
)
async def revoke_invite(
    invite_id: uuid.UUID,
    member: Member,
    actor: Actor,
    request: Request[Any, Any, Any],
    db: AsyncSession,
) -> Response[Any]:
    """Revoke a pending invite."""
    await teams.revoke_invite(db, actor, member, invite_id)
    return await _members_response(request, db, member, None, ("revoked", None))


async def _policy_context(db: AsyncSession, member: Member, runtime: Runtime) -> dict[str, Any]:
    policy = to_io(await get_policy(db, member.workspace_id))
    return await shell_context(db, member, "admin") | {
        "tab": "policy",
        "policy": policy,
        "providers": runtime.registry.providers(),
        "saved": False,
    }


@get(ADMIN + "/policy", opt={"access": P.POLICY_MANAGE}, include_in_schema=False)
async def admin_policy(member: Member, db: AsyncSession, runtime: Runtime) -> Template:
    """Which providers may be used, personal keys, and what a failing workspace key does."""
    return Template("admin/policy.html", context=await _policy_context(db, member, runtime))


@post(ADMIN + "/policy", opt={"access": P.POLICY_MANAGE}, include_in_schema=False)
async def save_policy(
    member: Member, actor: Actor, form: FormMultiDict, db: AsyncSession, runtime: Runtime
) -> Template:
    """Save the policy form (the keys service validates provider ids and audits the change)."""
    current = to_io(await get_policy(db, member.workspace_id))
    chosen = [p for p in form.getall("providers", []) if isinstance(p, str)]
    data = PolicyIO(
        allowed_providers=None if field(form, "restrict_providers") != "on" else chosen,
        allowed_models=current.allowed_models,
        personal_keys_allowed=field(form, "personal_keys_allowed") == "on",
        byok_failure="fallback" if field(form, "byok_failure") == "fallback" else "fail",
        own_keys_only=field(form, "own_keys_only") == "on",
    )
    await put_policy(db, runtime.registry, actor, member.workspace_id, data)
    context = await _policy_context(db, member, runtime) | {"saved": True}
    return Template("admin/policy.html", context=context)


@get(ADMIN + "/usage", opt={"access": P.USAGE_READ}, include_in_schema=False)
async def admin_usage(ws_id: uuid.UUID, member: Member, db: AsyncSession) -> Template:
    """Usage per day as inline SVG bars; the CSV export is the usage API's own."""
    report = await usage_by_day(db, member, USAGE_DAYS)
    context = await shell_context(db, member, "admin") | {
        "tab": "usage",
        "report": report,
        "usd_per_micro": 1 / MICROS_PER_USD,
        "call_bars": bars([(r.group, r.totals.calls) for r in report.rows]),
        "credit_bars": bars([(r.group, r.totals.credits) for r in report.rows]),
        "csv_url": f"/api/workspaces/{ws_id}/usage.csv?"
        + urlencode(
            {
                "group_by": "day",
                "since": report.since.isoformat(),
                "until": report.until.isoformat(),
            }
        ),
    }
    return Template("admin/usage.html", context=context)


ADMIN_PAGES = [
    admin_members,
    change_role,
    remove_member,
    create_invite,
    revoke_invite,
    admin_policy,
    save_policy,
    admin_usage,
]
