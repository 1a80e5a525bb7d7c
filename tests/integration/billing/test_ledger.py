"""The credit ledger: idempotent holds and settlements, no overdraft under concurrency."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from tests.integration.billing.conftest import Maker, ledger_charges, start_balance
from tests.support import UserClient
from workspace.billing import ledger
from workspace.billing.plans import PLANS
from workspace.billing.usage import UsageRecord, record_usage


async def _usage(maker: Maker, ws: uuid.UUID, user: str, credits: int) -> uuid.UUID:
    async with maker() as s:
        event_id = await record_usage(
            s,
            UsageRecord(
                workspace_id=ws,
                user_id=uuid.UUID(user),
                provider="openai",
                model="gpt-4o",
                key_source="platform",
                credits=credits,
                cost_usd=credits / 1000,
            ),
        )
        await s.commit()
    return event_id


async def test_first_balance_of_the_month_grants_the_plan_allowance_once(
    alice: UserClient, maker: Maker
) -> None:
    ws = uuid.UUID(await alice.create_workspace())
    async with maker() as s:
        assert await ledger.balance(s, ws) == PLANS["free"].monthly_credits
        await s.commit()
    async with maker() as s:
        assert await ledger.balance(s, ws) == PLANS["free"].monthly_credits
        assert not await ledger.ensure_monthly_grant(s, ws)
        grants = [e for e in await ledger.recent_entries(s, ws) if e.kind == "grant"]
    assert len(grants) == 1


async def test_reserve_twice_with_the_same_key_holds_once(alice: UserClient, maker: Maker) -> None:
    ws = uuid.UUID(await alice.create_workspace())
    await start_balance(maker, ws, 100)
    async with maker() as s:
        first = await ledger.reserve(s, ws, 30, "call-1")
        await s.commit()
    async with maker() as s:
        again = await ledger.reserve(s, ws, 30, "call-1")
        await s.commit()
        assert again == first
        assert await ledger.balance(s, ws) == 70


async def test_settle_twice_settles_once(alice: UserClient, maker: Maker) -> None:
    ws = uuid.UUID(await alice.create_workspace())
    await start_balance(maker, ws, 100)
    async with maker() as s:
        hold = await ledger.reserve(s, ws, 50, "call-settle")
        await s.commit()
    event_id = await _usage(maker, ws, alice.id, 12)
    async with maker() as s:
        assert await ledger.settle(s, hold, 12, event_id) == 12
        await s.commit()
    async with maker() as s:
        assert await ledger.settle(s, hold, 12, event_id) == 12
        await s.commit()
        assert await ledger.balance(s, ws) == 88
        settles = [e for e in await ledger.recent_entries(s, ws) if e.kind == "settle"]
    assert [e.amount for e in settles] == [38]
    assert await ledger_charges(maker, ws) == 12


async def test_settle_above_the_hold_charges_the_extra_only_down_to_the_floor(
    alice: UserClient, maker: Maker
) -> None:
    ws = uuid.UUID(await alice.create_workspace())
    await start_balance(maker, ws, 100)
    async with maker() as s:
        hold = await ledger.reserve(s, ws, 80, "call-big")
        await s.commit()
    event_id = await _usage(maker, ws, alice.id, 150)
    async with maker() as s:
        charged = await ledger.settle(s, hold, 150, event_id)
        await s.commit()
        assert charged == 100
        assert await ledger.balance(s, ws) == 0
        credits = await s.execute(
            sa.text("SELECT credits FROM usage_events WHERE id = :id"), {"id": event_id}
        )
    # The written-off part is not claimed as charged: usage and ledger still agree.
    assert credits.scalar_one() == 100
    assert await ledger_charges(maker, ws) == 100


async def test_reserve_beyond_the_balance_is_refused_with_the_balance_named(
    alice: UserClient, maker: Maker
) -> None:
    ws = uuid.UUID(await alice.create_workspace())
    await start_balance(maker, ws, 10)
    async with maker() as s:
        with pytest.raises(ledger.CreditsExhausted) as caught:
            await ledger.reserve(s, ws, 11, "too-much")
    assert caught.value.status == 402
    assert caught.value.code == "credits_exhausted"
    assert "10 credits left" in caught.value.detail


async def test_fifty_concurrent_reserves_never_overdraw(alice: UserClient, maker: Maker) -> None:
    ws = uuid.UUID(await alice.create_workspace())
    await start_balance(maker, ws, 100)

    async def one(i: int) -> ledger.Hold | None:
        async with maker() as s:
            try:
                hold = await ledger.reserve(s, ws, 10, f"race-{ws}-{i}")
            except ledger.CreditsExhausted:
                await s.rollback()
                return None
            await s.commit()
            return hold

    holds = await asyncio.gather(*(one(i) for i in range(50)))
    won = [h for h in holds if h is not None]
    assert len(won) == 10
    assert holds.count(None) == 40
    async with maker() as s:
        assert await ledger.balance(s, ws) == 0
    assert await ledger_charges(maker, ws) == 100


async def test_the_ledger_is_append_only(alice: UserClient, maker: Maker) -> None:
    ws = uuid.UUID(await alice.create_workspace())
    await start_balance(maker, ws, 5)
    async with maker() as s:
        with pytest.raises(DBAPIError, match="append-only"):
            await s.execute(
                sa.text("UPDATE credit_ledger SET amount = 1000 WHERE workspace_id = :ws"),
                {"ws": ws},
            )
    async with maker() as s:
        with pytest.raises(DBAPIError, match="append-only"):
            await s.execute(
                sa.text("DELETE FROM credit_ledger WHERE workspace_id = :ws"), {"ws": ws}
            )


async def test_deleting_a_workspace_still_cascades_to_its_ledger(
    alice: UserClient, maker: Maker
) -> None:
    ws = uuid.UUID(await alice.create_workspace())
    await start_balance(maker, ws, 5)
    async with maker() as s:
        await s.execute(sa.text("DELETE FROM workspaces WHERE id = :ws"), {"ws": ws})
        left = await s.execute(
            sa.text("SELECT count(*) FROM credit_ledger WHERE workspace_id = :ws"), {"ws": ws}
        )
        assert left.scalar_one() == 0
        await s.rollback()
