"""The usage dashboard's data (from billing's reports) and its server-rendered SVG bars."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.billing.reports import UsageFilter, UsageReport, usage_report
from workspace.db.columns import utcnow
from workspace.teams.guards import Member

CHART_WIDTH = 640
BAR_GAP = 4
CHART_HEIGHT = 160
HEADROOM = 8  # the tallest bar stops short of the top edge


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


async def usage_by_day(db: AsyncSession, member: Member, days: int) -> UsageReport:
    """Daily totals (UTC days) of the last ``days`` days, oldest first, with the BYOK split."""
    now = utcnow()
    window = UsageFilter(since=now - timedelta(days=days), until=now, group_by="day")
    return await usage_report(db, member.workspace_id, window)


def bars(values: list[tuple[str, int]], width: int = CHART_WIDTH) -> list[Bar]:
    """Lay out one bar per value, scaled to the largest, inside a CHART_HEIGHT-tall chart."""
    if not values:
        return []
    top = max(v for _, v in values) or 1
    slot = width / len(values)
    out = []
    for i, (label, value) in enumerate(values):
        height = (CHART_HEIGHT - HEADROOM) * value / top
        out.append(
            Bar(label, value, i * slot + BAR_GAP / 2, CHART_HEIGHT - height, slot - BAR_GAP, height)
        )
    return out
