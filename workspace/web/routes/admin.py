"""The admin console: members and roles, invites, the audit log, policy and usage.

The keys tab lives in :mod:`workspace.web.routes.keys` with the "My keys" page it shares forms with.

Every URL here is a 404 for members and viewers (see :func:`workspace.web.pages.page_member`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.params import Parameter
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.audit.service import AuditFilter, list_events
from workspace.billing.plans import MICROS_PER_USD
from workspace.errors import InvalidInput
from workspace.keys.policy import get_policy, put_policy, to_io
from workspace.keys.schemas import PolicyIO
from workspace.runtime import Runtime
from workspace.settings import Settings
from workspace.teams import service as teams
from workspace.teams.guards import Member
from workspace.teams.roles import RANK, Role, can_assign
from workspace.teams.roles import Permission as P
from workspace.web.pages import actor_of, field, form_of, is_htmx, page_member
from workspace.web.shell import shell_context
from workspace.web.usage import bars, usage_by_day

ADMIN = "/w/{ws_id:uuid}/admin"
AUDIT_PAGE = 50
USAGE_DAYS = 30
KNOWN_ACTIONS = (
    "workspace.created",
    "workspace.renamed",
    "member.role_changed",
    "member.removed",
    "member.left",
    "invite.created",
    "invite.revoked",
    "invite.accepted",
    "project.created",
    "project.updated",
    "project.deleted",
)


def _role_choices(member: Member, current: Role) -> list[Role]:
    return [r for r in sorted(Role, key=RANK.__getitem__) if can_assign(member.role, current, r)]


async def _members_context(db: AsyncSession, member: Member) -> dict[str, Any]:
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
    }


@get(ADMIN, opt={"access": P.MEMBERS_MANAGE}, include_in_schema=False)
async def admin_members(
    ws_id: uuid.UUID, request: Request[Any, Any, Any], db: AsyncSession
) -> Template:
    """Members with their roles, and the invites of the workspace."""
    member = await page_member(request, db, ws_id)
    context = await shell_context(db, member, "admin") | await _members_context(db, member)
    return Template("admin/members.html", context=context | {"tab": "members"})


async def _members_response(
    request: Request[Any, Any, Any], db: AsyncSession, member: Member, new_invite: str | None
) -> Response[Any]:
    if is_htmx(request):
        context = await _members_context(db, member) | {"new_invite": new_invite}
        context |= {"workspace_id": member.workspace_id, "csrf": member.principal.csrf_token}
        return Template("admin/partials/people.html", context=context)
    if new_invite is not None:
        # Without JavaScript the link is shown on a full page, once.
        context = await shell_context(db, member, "admin") | await _members_context(db, member)
        context |= {"tab": "members", "new_invite": new_invite}
        return Template(
            "admin/members.html", context=context, headers={"Cache-Control": "no-store"}
        )
    return Redirect(f"/w/{member.workspace_id}/admin", status_code=303)


@post(
    ADMIN + "/members/{user_id:uuid}/role",
    opt={"access": P.MEMBERS_MANAGE},
    include_in_schema=False,
)
async def change_role(
    ws_id: uuid.UUID,
    user_id: uuid.UUID,
    request: Request[Any, Any, Any],
    db: AsyncSession,
    settings: Settings,
) -> Response[Any]:
    """Change a member's role (the teams service enforces the owner rules)."""
    member = await page_member(request, db, ws_id)
    raw = field(await form_of(request), "role", 16)
    if raw not in {r.value for r in Role}:
        raise InvalidInput("Pick a role.")
    actor = actor_of(request, member.principal, settings.trust_forwarded_for)
    await teams.change_role(db, actor, member, user_id, Role(raw))
    return await _members_response(request, db, member, None)


@post(
    ADMIN + "/members/{user_id:uuid}/remove",
    opt={"access": P.MEMBERS_MANAGE},
    include_in_schema=False,
)
async def remove_member(
    ws_id: uuid.UUID,
    user_id: uuid.UUID,
    request: Request[Any, Any, Any],
    db: AsyncSession,
    settings: Settings,
) -> Response[Any]:
    """Remove a member from the workspace."""
    member = await page_member(request, db, ws_id)
    actor = actor_of(request, member.principal, settings.trust_forwarded_for)
    await teams.remove_member(db, actor, member, user_id)
    if user_id == member.principal.user_id:
        return Redirect("/", status_code=303)
    return await _members_response(request, db, member, None)


@post(ADMIN + "/invites", opt={"access": P.INVITES_MANAGE}, include_in_schema=False)
async def create_invite(
    ws_id: uuid.UUID, request: Request[Any, Any, Any], db: AsyncSession, settings: Settings
) -> Response[Any]:
    """Create an invite; its link is shown in this response only."""
    member = await page_member(request, db, ws_id)
    form = await form_of(request)
    raw_role = field(form, "role", 16) or Role.MEMBER.value
    if raw_role not in {r.value for r in Role}:
        raise InvalidInput("Pick a role.")
    email = field(form, "email", 320) or None
    actor = actor_of(request, member.principal, settings.trust_forwarded_for)
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
    ws_id: uuid.UUID,
    invite_id: uuid.UUID,
    request: Request[Any, Any, Any],
    db: AsyncSession,
    settings: Settings,
) -> Response[Any]:
    """Revoke a pending invite."""
    member = await page_member(request, db, ws_id)
    actor = actor_of(request, member.principal, settings.trust_forwarded_for)
    await teams.revoke_invite(db, actor, member, invite_id)
    return await _members_response(request, db, member, None)


def _day_start(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None


def _parse_filters(
    member: str | None, since: str | None, until: str | None
) -> tuple[uuid.UUID | None, date | None, date | None]:
    """Empty form fields mean "any"; anything else must parse."""
    try:
        return (
            uuid.UUID(member) if member else None,
            date.fromisoformat(since) if since else None,
            date.fromisoformat(until) if until else None,
        )
    except ValueError:
        raise InvalidInput("Those filters are not valid.") from None


Short = Annotated[str | None, Parameter(max_length=64)]


@get(ADMIN + "/audit", opt={"access": P.AUDIT_READ}, include_in_schema=False)
async def admin_audit(
    ws_id: uuid.UUID,
    request: Request[Any, Any, Any],
    db: AsyncSession,
    action: Short = None,
    by_member: Annotated[str | None, Parameter(query="member", max_length=64)] = None,
    since: Short = None,
    until: Short = None,
    before: Annotated[int | None, Parameter(ge=1)] = None,
) -> Template:
    """The audit log, newest first, filtered by action, member and date range (UTC days)."""
    member = await page_member(request, db, ws_id)
    actor_id, since_day, until_day = _parse_filters(by_member, since, until)
    end = _day_start(until_day + timedelta(days=1)) if until_day else None
    filt = AuditFilter(action or None, actor_id, _day_start(since_day), end, AUDIT_PAGE + 1, before)
    events = list(await list_events(db, member.workspace_id, filt))
    older = events[AUDIT_PAGE - 1].id if len(events) > AUDIT_PAGE else None
    people = {u.id: u for _, u in await teams.list_members(db, member.workspace_id)}
    context = {
        "events": events[:AUDIT_PAGE],
        "people": people,
        "actions": KNOWN_ACTIONS,
        "filters": {
            "action": action or "",
            "member": str(actor_id) if actor_id else "",
            "since": since_day.isoformat() if since_day else "",
            "until": until_day.isoformat() if until_day else "",
        },
        "older": older,
        "tab": "audit",
    }
    if is_htmx(request) and request.headers.get("hx-target") == "audit-results":
        return Template("admin/partials/audit_rows.html", context=context | {"ws_id": ws_id})
    return Template("admin/audit.html", context=await shell_context(db, member, "admin") | context)


async def _policy_context(db: AsyncSession, member: Member, runtime: Runtime) -> dict[str, Any]:
    policy = to_io(await get_policy(db, member.workspace_id))
    return await shell_context(db, member, "admin") | {
        "tab": "policy",
        "policy": policy,
        "providers": runtime.registry.providers(),
        "saved": False,
    }


@get(ADMIN + "/policy", opt={"access": P.POLICY_MANAGE}, include_in_schema=False)
async def admin_policy(
    ws_id: uuid.UUID, request: Request[Any, Any, Any], db: AsyncSession, runtime: Runtime
) -> Template:
    """Which providers may be used, personal keys, and what a failing workspace key does."""
    member = await page_member(request, db, ws_id)
    return Template("admin/policy.html", context=await _policy_context(db, member, runtime))


@post(ADMIN + "/policy", opt={"access": P.POLICY_MANAGE}, include_in_schema=False)
async def save_policy(
    ws_id: uuid.UUID,
    request: Request[Any, Any, Any],
    db: AsyncSession,
    runtime: Runtime,
    settings: Settings,
) -> Template:
    """Save the policy form (the keys service validates provider ids and audits the change)."""
    member = await page_member(request, db, ws_id)
    form = await form_of(request)
    current = to_io(await get_policy(db, member.workspace_id))
    chosen = [p for p in form.getall("providers", []) if isinstance(p, str)]
    data = PolicyIO(
        allowed_providers=None if field(form, "restrict_providers") != "on" else chosen,
        allowed_models=current.allowed_models,
        personal_keys_allowed=field(form, "personal_keys_allowed") == "on",
        byok_failure="fallback" if field(form, "byok_failure") == "fallback" else "fail",
    )
    actor = actor_of(request, member.principal, settings.trust_forwarded_for)
    await put_policy(db, runtime.registry, actor, member.workspace_id, data)
    context = await _policy_context(db, member, runtime) | {"saved": True}
    return Template("admin/policy.html", context=context)


@get(ADMIN + "/usage", opt={"access": P.USAGE_READ}, include_in_schema=False)
async def admin_usage(
    ws_id: uuid.UUID, request: Request[Any, Any, Any], db: AsyncSession
) -> Template:
    """Usage per day as inline SVG bars; the CSV export is the usage API's own."""
    member = await page_member(request, db, ws_id)
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
    admin_audit,
    admin_policy,
    save_policy,
    admin_usage,
]
