"""HTTP routes of billing: usage reports and CSV export, credits, budgets."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from litestar import Response, Router, get, put
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.audit.service import Actor
from workspace.billing import budgets, ledger
from workspace.billing.plans import MICROS_PER_USD, plan_of
from workspace.billing.plans import micros_to_usd as usd
from workspace.billing.reports import GroupBy, UsageFilter, usage_csv, usage_report
from workspace.billing.schemas import (
    BudgetsIn,
    BudgetsOut,
    CreditsOut,
    LedgerEntryOut,
    UsageOut,
    usage_out,
)
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P

RECENT_LEDGER_ROWS = 20


def _micros(value: float) -> int:
    return round(Decimal(str(value)) * MICROS_PER_USD)


@get("/usage", opt={"access": P.USAGE_READ}, operation_id="get_usage")
async def get_usage(
    member: Member,
    db: AsyncSession,
    since: datetime | None = None,
    until: datetime | None = None,
    group_by: GroupBy = "day",
) -> UsageOut:
    """Tokens, cost, credits and calls grouped by member, provider, model, key source or day.

    The window defaults to this month (UTC) so far; ``byok`` and ``platform`` split the total.
    """
    report = await usage_report(db, member.workspace_id, UsageFilter(since, until, group_by))
    return usage_out(report)


@get("/usage.csv", opt={"access": P.USAGE_READ}, operation_id="export_usage_csv")
async def export_usage_csv(
    member: Member,
    db: AsyncSession,
    since: datetime | None = None,
    until: datetime | None = None,
    group_by: GroupBy = "day",
) -> Response[str]:
    """The usage report as CSV (same filters as ``/usage``)."""
    report = await usage_report(db, member.workspace_id, UsageFilter(since, until, group_by))
    name = f"usage-{report.since:%Y%m%d}-{report.until:%Y%m%d}-{group_by}.csv"
    return Response(
        usage_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@get("/credits", opt={"access": P.WORKSPACE_READ}, operation_id="get_credits")
async def get_credits(member: Member, db: AsyncSession) -> CreditsOut:
    """Credit balance, plan and monthly allowance, and the latest ledger rows."""
    plan = await plan_of(db, member.workspace_id)
    row = await ledger.balance_as_granted(db, member.workspace_id)
    recent = await ledger.recent_entries(db, member.workspace_id, RECENT_LEDGER_ROWS)
    return CreditsOut(
        plan=plan.name,
        monthly_allowance=plan.monthly_credits,
        platform_models=plan.platform_models,
        balance=row.balance,
        floor=row.floor,
        available=max(row.balance - row.floor, 0),
        recent=[
            LedgerEntryOut(e.id, e.kind, e.amount, e.usage_event_id, e.created_at) for e in recent
        ],
    )


async def _budgets_out(db: AsyncSession, member: Member) -> BudgetsOut:
    current = await budgets.get_budgets(db, member.workspace_id)
    ws = member.workspace_id
    return BudgetsOut(
        workspace_monthly_usd=None if current.workspace is None else usd(current.workspace),
        members={str(uid): usd(limit) for uid, limit in current.members.items()},
        month_start=budgets.month_start(),
        workspace_spent_usd=usd(await budgets.month_spend(db, ws)),
        my_spent_usd=usd(await budgets.month_spend(db, ws, member.principal.user_id)),
    )


@get("/budgets", opt={"access": P.POLICY_READ}, operation_id="get_budgets")
async def get_budgets(member: Member, db: AsyncSession) -> BudgetsOut:
    """Monthly budgets of the workspace and its members, with this month's spend."""
    return await _budgets_out(db, member)


@put("/budgets", opt={"access": P.POLICY_MANAGE}, operation_id="put_budgets")
async def put_budgets(
    data: BudgetsIn, member: Member, actor: Actor, db: AsyncSession
) -> BudgetsOut:
    """Replace the budgets: null (or a member left out) means no limit. Audited."""
    await budgets.set_budgets(
        db,
        actor,
        member.workspace_id,
        None if data.workspace_monthly_usd is None else _micros(data.workspace_monthly_usd),
        {uid: None if v is None else _micros(v) for uid, v in data.members.items()},
    )
    return await _budgets_out(db, member)


billing_router = Router(
    "/api/workspaces/{ws_id:uuid}",
    route_handlers=[get_usage, export_usage_csv, get_credits, get_budgets, put_budgets],
    tags=["billing"],
)
