"""The usage dashboard's data and its server-rendered SVG bar chart (no chart library)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.teams.guards import Member

CHART_WIDTH = 640
BAR_GAP = 4
CHART_HEIGHT = 160


@dataclass(frozen=True)
class UsageDay:
    day: date
    requests: int
    input_tokens: int
    output_tokens: int
    credits: int


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


async def usage_by_day(db: AsyncSession, member: Member, days: int) -> list[UsageDay]:
    """Daily totals for the last ``days`` days, oldest first.

    WIRE (billing): aggregate the usage events of ``member.workspace_id`` from
    ``workspace/billing/`` here; the dashboard, chart and CSV export render whatever this returns.
    """
    del db, member, days
    return []


def bars(values: list[tuple[str, int]], width: int = CHART_WIDTH) -> list[Bar]:
    """Lay out one bar per value, scaled to the largest; heights are whole-chart fractions."""
    if not values:
        return []
    top = max(v for _, v in values) or 1
    slot = width / len(values)
    out = []
    for i, (label, value) in enumerate(values):
        height = CHART_HEIGHT * value / top
        out.append(
            Bar(label, value, i * slot + BAR_GAP / 2, CHART_HEIGHT - height, slot - BAR_GAP, height)
        )
    return out
