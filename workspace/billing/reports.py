"""Usage reports: totals grouped by member, provider, model, key source or day, and as CSV."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.billing.budgets import month_start
from workspace.billing.models import UsageEvent
from workspace.billing.plans import MICROS_PER_USD
from workspace.billing.usage import BYOK_SOURCES
from workspace.db.columns import utcnow
from workspace.errors import InvalidInput

GroupBy = Literal["member", "provider", "model", "source", "day"]
CSV_HEADER = (
    "group_by",
    "group",
    "calls",
    "input_tokens",
    "output_tokens",
    "cached_tokens",
    "cost_usd",
    "credits",
)


@dataclass(frozen=True)
class UsageFilter:
    """``since`` inclusive, ``until`` exclusive; by default this month (UTC) so far."""

    since: datetime | None = None
    until: datetime | None = None
    group_by: GroupBy = "day"

    def window(self) -> tuple[datetime, datetime]:
        since, until = self.since or month_start(), self.until or utcnow()
        if since >= until:
            raise InvalidInput("'since' must be before 'until'.")
        return since, until


@dataclass(frozen=True)
class UsageTotals:
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    cost_usd_micros: int = 0
    credits: int = 0
    # Calls to a model without a known price (cost 0, tokens real): the cost is understated.
    unpriced_calls: int = 0


@dataclass(frozen=True)
class UsageRow:
    group: str
    totals: UsageTotals


@dataclass(frozen=True)
class UsageReport:
    since: datetime
    until: datetime
    group_by: GroupBy
    rows: Sequence[UsageRow]
    total: UsageTotals
    byok: UsageTotals
    platform: UsageTotals


def _group_column(group_by: GroupBy) -> Any:
    if group_by == "member":
        return sa.cast(UsageEvent.user_id, sa.String)
    if group_by == "provider":
        return col(UsageEvent.provider)
    if group_by == "model":
        return sa.func.concat(UsageEvent.provider, "/", UsageEvent.model)
    if group_by == "source":
        return col(UsageEvent.key_source)
    # Days are UTC days, like months everywhere in billing.
    return sa.func.to_char(sa.func.timezone("UTC", UsageEvent.created_at), "YYYY-MM-DD")


_MEASURES = (
    sa.func.count(),
    sa.func.coalesce(sa.func.sum(UsageEvent.input_tokens), 0),
    sa.func.coalesce(sa.func.sum(UsageEvent.output_tokens), 0),
    sa.func.coalesce(sa.func.sum(UsageEvent.cached_tokens), 0),
    sa.func.coalesce(sa.func.sum(UsageEvent.cost_usd_micros), 0),
    sa.func.coalesce(sa.func.sum(UsageEvent.credits), 0),
    sa.func.count().filter(col(UsageEvent.price_unknown)),
)


def _totals(values: Sequence[Any]) -> UsageTotals:
    return UsageTotals(*(int(v) for v in values))


def _add(a: UsageTotals, b: UsageTotals) -> UsageTotals:
    return UsageTotals(
        a.calls + b.calls,
        a.input_tokens + b.input_tokens,
        a.output_tokens + b.output_tokens,
        a.cached_tokens + b.cached_tokens,
        a.cost_usd_micros + b.cost_usd_micros,
        a.credits + b.credits,
        a.unpriced_calls + b.unpriced_calls,
    )


async def usage_report(
    session: AsyncSession, workspace_id: uuid.UUID, filt: UsageFilter
) -> UsageReport:
    """Grouped totals of the workspace's usage in the window, with the BYOK / platform split."""
    since, until = filt.window()
    scope = (
        col(UsageEvent.workspace_id) == workspace_id,
        col(UsageEvent.created_at) >= since,
        col(UsageEvent.created_at) < until,
    )
    group = _group_column(filt.group_by).label("grp")
    grouped = sa.select(group, *_MEASURES).where(*scope).group_by(group).order_by(group)
    rows = [UsageRow(str(r[0]), _totals(r[1:])) for r in (await session.execute(grouped)).all()]
    by_source = sa.select(col(UsageEvent.key_source), *_MEASURES).where(*scope)
    byok = platform = UsageTotals()
    for r in (await session.execute(by_source.group_by(col(UsageEvent.key_source)))).all():
        if r[0] in BYOK_SOURCES:
            byok = _add(byok, _totals(r[1:]))
        else:
            platform = _add(platform, _totals(r[1:]))
    return UsageReport(since, until, filt.group_by, rows, _add(byok, platform), byok, platform)


def _cell(value: str) -> str:
    # Spreadsheets run cells starting with these as formulas (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def usage_csv(report: UsageReport) -> str:
    """The report's rows as CSV, one line per group, after a header line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in report.rows:
        t = row.totals
        writer.writerow(
            (
                report.group_by,
                _cell(row.group),
                t.calls,
                t.input_tokens,
                t.output_tokens,
                t.cached_tokens,
                f"{t.cost_usd_micros / MICROS_PER_USD:.6f}",
                t.credits,
            )
        )
    return out.getvalue()
