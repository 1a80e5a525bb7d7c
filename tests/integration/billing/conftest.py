"""Billing tests talk to the services directly, on the stack's real PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.support import Stack
from workspace.billing import ledger
from workspace.db.sessions import make_engine, make_sessionmaker

Maker = async_sessionmaker[AsyncSession]


@pytest.fixture
async def maker(stack: Stack) -> AsyncIterator[Maker]:
    assert stack.settings.database_url is not None
    engine = make_engine(stack.settings.database_url)
    try:
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()


async def start_balance(maker: Maker, workspace_id: str | uuid.UUID, credits: int) -> None:
    """Give the workspace exactly ``credits`` this month, in place of the plan allowance."""
    ws = uuid.UUID(str(workspace_id))
    async with maker() as s:
        await ledger.grant(s, ws, credits, ledger.monthly_grant_key(ws))
        await s.commit()


async def ledger_charges(maker: Maker, workspace_id: str | uuid.UUID) -> int:
    """Credits the ledger charged (holds and settles), as a positive number."""
    async with maker() as s:
        total = await s.execute(
            sa.text(
                "SELECT coalesce(sum(amount), 0) FROM credit_ledger "
                "WHERE workspace_id = :ws AND kind IN ('hold', 'settle')"
            ),
            {"ws": uuid.UUID(str(workspace_id))},
        )
        return -int(total.scalar_one())


async def usage_credits(maker: Maker, workspace_id: str | uuid.UUID) -> int:
    async with maker() as s:
        total = await s.execute(
            sa.text("SELECT coalesce(sum(credits), 0) FROM usage_events WHERE workspace_id = :ws"),
            {"ws": uuid.UUID(str(workspace_id))},
        )
        return int(total.scalar_one())
