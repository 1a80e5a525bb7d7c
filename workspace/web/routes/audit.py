"""The admin console's audit log page: filters from the URL, one page of described rows.

A 404 for members and viewers, like every admin page (the access guard hides what a role lacks).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from litestar import Request, get
from litestar.params import Parameter
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.audit.actions import AuditAction, by_area
from workspace.audit.rows import AuditRow, Person, describe, member_target_ids
from workspace.audit.service import AuditFilter, list_events
from workspace.errors import InvalidInput
from workspace.teams import service as teams
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P
from workspace.web.pages import is_htmx
from workspace.web.shell import shell_context

AUDIT = "/w/{ws_id:uuid}/admin/audit"
AUDIT_PAGE = 50


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


@get(AUDIT, opt={"access": P.AUDIT_READ}, include_in_schema=False)
async def admin_audit(
    ws_id: uuid.UUID,
    member: Member,
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


AUDIT_PAGES = [admin_audit]
