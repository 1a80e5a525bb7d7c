"""Platform spend is exactly what is charged: 50 concurrent large prompts against 1,000 credits
never leave a call charged less than its recorded cost, nor the balance below its floor."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import sqlalchemy as sa

from adapters.types import Message, Text
from tests.integration.calls.conftest import member_of
from tests.integration.calls.test_gateway import _drain
from tests.support import Stack, UserClient
from workspace.billing import ledger, plans
from workspace.calls.gateway import start_call
from workspace.calls.request import CallRequest
from workspace.runtime import Runtime

# The case that was under-billed: a ~24,000-word prompt to GPT-4o costs more than a fixed hold.
PLATFORM_MODEL = "openai/gpt-4o"
BIG_PROMPT = (Message("user", (Text("word " * 24_000),)),)
AVAILABLE = 1_000


async def _available_credits(runtime: Runtime, ws: str, room: int) -> None:
    async with runtime.sessionmaker() as session:
        await ledger.balance(session, uuid.UUID(ws))  # this month's allowance
        await session.execute(
            sa.text("UPDATE credit_balances SET floor = balance - :room WHERE workspace_id = :w"),
            {"room": room, "w": ws},
        )
        await session.commit()


async def test_fifty_big_platform_calls_charge_exactly_their_recorded_cost(
    alice: UserClient,
    runtime: Runtime,
    platform_openai: None,
    stack: Stack,
) -> None:
    ws = await alice.create_workspace()
    await _available_credits(runtime, ws, AVAILABLE)
    member = member_of(alice, ws)

    async def one(i: int) -> str:
        try:
            request = CallRequest(member, PLATFORM_MODEL, BIG_PROMPT, idempotency_key=f"big{i}")
            call = await start_call(runtime, request)
        except ledger.CreditsExhausted:
            return "refused"
        await _drain(call)
        return "served"

    async with httpx.AsyncClient(base_url=stack.simulator_url or "") as sim:
        model_id = PLATFORM_MODEL.split("/", 1)[1]
        await sim.post("/_simulator/scenario", json={"model": model_id, "ttft_ms": 300})
        try:
            results = await asyncio.gather(*(one(i) for i in range(50)))
        finally:
            await sim.delete("/_simulator/scenario")
    assert "served" in results and "refused" in results

    async with runtime.engine.connect() as conn:
        usage = (
            await conn.execute(
                sa.text(
                    "SELECT credits, cost_usd_micros FROM usage_events WHERE workspace_id = :w"
                ),
                {"w": ws},
            )
        ).all()
        charged = (
            await conn.execute(
                sa.text(
                    "SELECT coalesce(-sum(amount), 0) FROM credit_ledger"
                    " WHERE workspace_id = :w AND kind IN ('hold', 'settle')"
                ),
                {"w": ws},
            )
        ).scalar_one()
        balance, floor = (
            await conn.execute(
                sa.text("SELECT balance, floor FROM credit_balances WHERE workspace_id = :w"),
                {"w": ws},
            )
        ).one()
    assert len(usage) == results.count("served")
    for credits, micros in usage:
        assert micros > 0
        assert credits == plans.credits_for_micros(micros)  # every call: charge == cost
    assert charged == sum(credits for credits, _ in usage)  # ledger == usage, no write-off
    assert balance >= floor
