"""Fixed-window rate limits kept in PostgreSQL, so every replica sees the same counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts.models import RateLimitCounter


def _window_start(window_s: int, now: datetime) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % window_s, UTC)


async def hit(session: AsyncSession, bucket: str, window_s: int) -> int:
    """Count one hit in ``bucket``'s current window and return the window's count."""
    now = datetime.now(UTC)
    stmt = (
        insert(RateLimitCounter)
        .values(bucket=bucket, window_start=_window_start(window_s, now), count=1)
        .on_conflict_do_update(
            index_elements=["bucket", "window_start"],
            set_={"count": col(RateLimitCounter.count) + 1},
        )
        .returning(col(RateLimitCounter.count))
    )
    count = (await session.execute(stmt)).scalar_one()
    await session.execute(
        sa.delete(RateLimitCounter).where(
            col(RateLimitCounter.bucket) == bucket,
            col(RateLimitCounter.window_start) < now - timedelta(seconds=window_s * 2),
        )
    )
    return int(count)


async def current(session: AsyncSession, bucket: str, window_s: int) -> int:
    """The count in ``bucket``'s current window, without counting a hit."""
    now = datetime.now(UTC)
    stmt = sa.select(col(RateLimitCounter.count)).where(
        col(RateLimitCounter.bucket) == bucket,
        col(RateLimitCounter.window_start) == _window_start(window_s, now),
    )
    return int((await session.execute(stmt)).scalar_one_or_none() or 0)


def seconds_left(window_s: int) -> int:
    now = datetime.now(UTC)
    return window_s - int(now.timestamp()) % window_s
