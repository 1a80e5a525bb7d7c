"""Bodies of the billing API (msgspec)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

from workspace.billing.plans import micros_to_usd as usd
from workspace.billing.reports import UsageReport, UsageTotals

Usd = Annotated[float, msgspec.Meta(ge=0, le=1_000_000_000)]


class UsageTotalsOut(msgspec.Struct):
    calls: int
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    cost_usd: float
    credits: int
    # Calls to models without a known price (their cost counts as 0).
    unpriced_calls: int = 0


class UsageRowOut(msgspec.Struct):
    group: str
    calls: int
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    cost_usd: float
    credits: int
    unpriced_calls: int = 0


class UsageOut(msgspec.Struct):
    since: datetime
    until: datetime
    group_by: str
    rows: list[UsageRowOut]
    total: UsageTotalsOut
    byok: UsageTotalsOut
    platform: UsageTotalsOut


class LedgerEntryOut(msgspec.Struct):
    id: uuid.UUID
    kind: str
    amount: int
    usage_event_id: uuid.UUID | None
    created_at: datetime


class CreditsOut(msgspec.Struct):
    plan: str
    monthly_allowance: int
    platform_models: bool
    balance: int
    floor: int
    available: int
    recent: list[LedgerEntryOut]


class BudgetsIn(msgspec.Struct, forbid_unknown_fields=True):
    """The whole budget configuration; null or an absent member means no limit."""

    workspace_monthly_usd: Usd | None = None
    members: dict[uuid.UUID, Usd | None] = msgspec.field(default_factory=dict)


class BudgetsOut(msgspec.Struct):
    workspace_monthly_usd: float | None
    members: dict[str, float]
    month_start: datetime
    workspace_spent_usd: float
    my_spent_usd: float


def totals_out(t: UsageTotals) -> UsageTotalsOut:
    return UsageTotalsOut(
        t.calls,
        t.input_tokens,
        t.output_tokens,
        t.cached_tokens,
        usd(t.cost_usd_micros),
        t.credits,
        t.unpriced_calls,
    )


def usage_out(report: UsageReport) -> UsageOut:
    rows = [
        UsageRowOut(
            r.group,
            r.totals.calls,
            r.totals.input_tokens,
            r.totals.output_tokens,
            r.totals.cached_tokens,
            usd(r.totals.cost_usd_micros),
            r.totals.credits,
            r.totals.unpriced_calls,
        )
        for r in report.rows
    ]
    return UsageOut(
        report.since,
        report.until,
        report.group_by,
        rows,
        totals_out(report.total),
        totals_out(report.byok),
        totals_out(report.platform),
    )
