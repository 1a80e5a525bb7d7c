"""The admin console: members and roles, invites, the audit log, policy and usage.

The keys tab lives in :mod:`workspace.web.routes.keys` with the "My keys" page it shares forms with.

Every URL here is a 404 for members and viewers (see :func:`workspace.web.pages.page_member`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.params import Parameter
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.audit.actions import AuditAction, by_area
from workspace.audit.rows import AuditRow, Person, describe, member_target_ids
from workspace.audit.service import AuditFilter, list_events
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
from workspace.web.pages import actor_of, field, form_of, is_htmx, page_member
from workspace.web.shell import shell_context
from workspace.web.usage import bars, usage_by_day

ADMIN = "/w/{ws_id:uuid}/admin"
AUDIT_PAGE = 50
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
    ws_id: uuid.UUID,
    request: Request[Any, Any, Any],
    db: AsyncSession,
    done: Annotated[str | None, Parameter(max_length=16)] = None,
    user: MemberId = None,
) -> Template:
    """Members with their roles, and the invites of the workspace (``?done=`` confirms the
    change a plain form just made)."""
    member = await page_member(request, db, ws_id)
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
    return await _members_response(request, db, member, None, ("role", user_id))


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
    return await _members_response(request, db, member, None, ("removed", user_id))


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
    return await _members_response(request, db, member, None, ("revoked", None))


def _day_start(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None


@dataclass(frozen=True)
class AuditQuery:
    """The audit filters as the URL gave them, parsed; ``problem`` says why they cannot run."""

    action: AuditAction | None
    actor_id: uuid.UUID | None
    since: date | None
    until: date | None
    problem: str | None = None

    def as_form(self) -> dict[str, str]:
        """What the filter form shows: exactly the URL's filters, so Back never lies."""
        return {
            "action": self.action.value if self.action else "",
            "member": str(self.actor_id) if self.actor_id else "",
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }


def _parse_filters(
    action: str | None, member: str | None, since: str | None, until: str | None
) -> AuditQuery:
    """Empty form fields mean "any"; anything else must parse, and From must not be after To."""
    try:
        query = AuditQuery(
            AuditAction(action) if action else None,
            uuid.UUID(member) if member else None,
            date.fromisoformat(since) if since else None,
            date.fromisoformat(until) if until else None,
        )
    except ValueError:
        raise InvalidInput("Those filters are not valid.") from None
    if query.since and query.until and query.since > query.until:
        problem = (
            f"“From” ({query.since:%d %b %Y}) is after “To” ({query.until:%d %b %Y}), so no "
            "day is in between. Pick a From date on or before the To date."
        )
        return replace(query, problem=problem)
    return query


async def _audit_rows(
    db: AsyncSession, member: Member, query: AuditQuery, before: int | None
) -> tuple[list[AuditRow], int | None]:
    """One page of described rows, and the id to continue from (None on the last page)."""
    end = _day_start(query.until + timedelta(days=1)) if query.until else None
    filt = AuditFilter(
        query.action, query.actor_id, _day_start(query.since), end, AUDIT_PAGE + 1, before
    )
    events = list(await list_events(db, member.workspace_id, filt))
    older = events[AUDIT_PAGE - 1].id if len(events) > AUDIT_PAGE else None
    events = events[:AUDIT_PAGE]
    current = {u.id for _, u in await teams.list_members(db, member.workspace_id)}
    wanted = {e.actor_id for e in events if e.actor_id} | member_target_ids(events)
    people = {
        uid: Person(u.name, u.email, uid in current)
        for uid, u in (await teams.users_by_id(db, wanted)).items()
    }
    return describe(events, people), older


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
    """The audit log, newest first, filtered by action, member and date range (UTC days).

    HTMX filter requests get the form and the results together (``#audit-view``): htmx keeps a
    snapshot of the page for Back, and a form drawn from the URL is what makes that snapshot
    show the filters its rows were chosen by.
    """
    member = await page_member(request, db, ws_id)
    query = _parse_filters(action, by_member, since, until)
    rows, older = ([], None) if query.problem else await _audit_rows(db, member, query, before)
    people = [(u.id, u) for _, u in await teams.list_members(db, member.workspace_id)]
    context = {
        "ws_id": ws_id,
        "rows": rows,
        "people": people,
        "action_groups": by_area(),
        "filters": query.as_form(),
        "problem": query.problem,
        "older": older,
        "tab": "audit",
    }
    if is_htmx(request) and request.headers.get("hx-target") == "audit-view":
        return Template("admin/partials/audit_view.html", context=context)
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
        own_keys_only=field(form, "own_keys_only") == "on",
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
