"""Usage events: BYOK calls carry no credits, platform calls do, and the ledger agrees."""

from __future__ import annotations

import uuid

from sqlmodel import select

from tests.integration.billing.conftest import Maker, ledger_charges, start_balance, usage_credits
from tests.support import UserClient
from workspace.billing import ledger
from workspace.billing.models import UsageEvent
from workspace.billing.plans import credits_for_cost
from workspace.billing.usage import UsageRecord, UsageWriter, record_usage


def _record(ws: uuid.UUID, user: str, source: str, cost: float) -> UsageRecord:
    return UsageRecord(
        workspace_id=ws,
        user_id=uuid.UUID(user),
        provider="openai",
        model="gpt-4o",
        key_source=source,
        input_tokens=1000,
        output_tokens=200,
        latency_ms=420,
        cost_usd=cost,
        credits=credits_for_cost(cost),
    )


async def test_byok_usage_charges_no_credits_and_platform_usage_does(
    alice: UserClient, maker: Maker
) -> None:
    ws = uuid.UUID(await alice.create_workspace())
    await start_balance(maker, ws, 1000)
    for i, source in enumerate(("request", "personal", "workspace", "platform", "platform")):
        async with maker() as s:
            hold = await ledger.reserve(s, ws, 50, f"u-{i}") if source == "platform" else None
            event_id = await record_usage(s, _record(ws, alice.id, source, 0.0123))
            if hold is not None:
                await ledger.settle(s, hold, credits_for_cost(0.0123), event_id)
            await s.commit()
    async with maker() as s:
        rows = (await s.exec(select(UsageEvent).where(UsageEvent.workspace_id == ws))).all()
    by_source = {(r.key_source, r.credits, r.cost_usd_micros) for r in rows}
    assert by_source == {
        ("request", 0, 12300),
        ("personal", 0, 12300),
        ("workspace", 0, 12300),
        ("platform", 13, 12300),
    }
    assert await usage_credits(maker, ws) == 26
    assert await ledger_charges(maker, ws) == 26
    async with maker() as s:
        assert await ledger.balance(s, ws) == 1000 - 26


async def test_usage_writer_batches_in_the_background(alice: UserClient, maker: Maker) -> None:
    ws = uuid.UUID(await alice.create_workspace())
    writer = UsageWriter(maker, max_rows=7, max_delay_ms=20)
    ids = [writer.submit(_record(ws, alice.id, "workspace", 0.001)) for _ in range(20)]
    await writer.flush()
    await writer.close()
    assert writer.dropped == 0
    async with maker() as s:
        stored = [await s.get(UsageEvent, i) for i in ids]
    assert all(e is not None and e.credits == 0 for e in stored)
