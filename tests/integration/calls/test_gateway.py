"""The model-call gateway: whose key serves, who pays, and that a charge happens once."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
import sqlalchemy as sa

from adapters.types import Message, Secret, Text, TextDelta
from tests.integration.calls.conftest import member_of
from tests.support import Stack, UserClient
from workspace.billing import holds, ledger
from workspace.calls.gateway import start_call
from workspace.calls.request import CallRequest, FallbackNotice, RequestKey
from workspace.keys.resolution import NoKeyAvailable
from workspace.runtime import Runtime
from workspace.secrets.vault import SecretStoreUnavailable

HELLO = (Message("user", (Text("hello"),)),)
# Platform keys are operator-wide; these tests own the "groq" one and remove it afterwards.
PLATFORM_PROVIDER = "groq"
PLATFORM_MODEL = "groq/llama-3.3-70b-versatile"


async def _drain(call) -> list[object]:  # type: ignore[no-untyped-def]
    return [event async for event in call.events()]


async def _usage_rows(runtime: Runtime, ws: str) -> list[dict[str, object]]:
    async with runtime.engine.connect() as conn:
        rows = await conn.execute(
            sa.text(
                "SELECT key_source, credits, status, fallback FROM usage_events"
                " WHERE workspace_id=:w"
            ),
            {"w": ws},
        )
        return [dict(r._mapping) for r in rows]


async def _ledger_sum(runtime: Runtime, ws: str) -> int:
    async with runtime.engine.connect() as conn:
        total = await conn.execute(
            sa.text(
                "SELECT coalesce(sum(amount),0) FROM credit_ledger"
                " WHERE workspace_id=:w AND kind IN ('hold','settle')"
            ),
            {"w": ws},
        )
        return int(total.scalar_one())


async def test_workspace_key_serves_and_charges_nothing(
    alice: UserClient, runtime: Runtime
) -> None:
    ws = await alice.create_workspace()
    await alice.post(
        f"/api/workspaces/{ws}/credentials", json={"provider": "openai", "secret": "sk-ws-key-0001"}
    )
    call = await start_call(runtime, CallRequest(member_of(alice, ws), "openai/gpt-4o", HELLO))
    assert call.key_source == "workspace"
    events = await _drain(call)
    assert any(isinstance(e, TextDelta) for e in events)
    assert call.outcome.credits_charged == 0
    assert await _usage_rows(runtime, ws) == [
        {"key_source": "workspace", "credits": 0, "status": "complete", "fallback": False}
    ]
    cred = (await alice.get(f"/api/workspaces/{ws}/credentials")).json()[0]
    assert cred["last_used_at"] is not None


async def test_request_key_beats_workspace_key_and_is_not_stored(
    alice: UserClient, runtime: Runtime, stack: Stack
) -> None:
    ws = await alice.create_workspace()
    await alice.post(
        f"/api/workspaces/{ws}/credentials", json={"provider": "openai", "secret": "sk-ws-key-0002"}
    )
    request_key = RequestKey("openai", Secret("sk-request-only-key-0003"))
    call = await start_call(
        runtime, CallRequest(member_of(alice, ws), "openai/gpt-4o", HELLO, request_key=request_key)
    )
    assert call.key_source == "request"
    await _drain(call)
    assert (await _usage_rows(runtime, ws))[0]["credits"] == 0


async def test_personal_key_only_when_policy_allows(alice: UserClient, runtime: Runtime) -> None:
    ws = await alice.create_workspace()
    await alice.post(
        f"/api/workspaces/{ws}/credentials",
        json={"provider": "anthropic", "secret": "sk-ant-ws-0004"},
    )
    await alice.post(
        "/api/me/credentials", json={"provider": "anthropic", "secret": "sk-ant-mine-0005"}
    )
    call = await start_call(
        runtime, CallRequest(member_of(alice, ws), "anthropic/claude-sonnet-4-6", HELLO)
    )
    assert call.key_source == "personal"
    await alice.put(f"/api/workspaces/{ws}/policy", json={"personal_keys_allowed": False})
    call = await start_call(
        runtime, CallRequest(member_of(alice, ws), "anthropic/claude-sonnet-4-6", HELLO)
    )
    assert call.key_source == "workspace"


async def test_no_key_is_a_clear_error(alice: UserClient, runtime: Runtime) -> None:
    ws = await alice.create_workspace()
    with pytest.raises(NoKeyAvailable):
        await start_call(
            runtime, CallRequest(member_of(alice, ws), "gemini/gemini-2.5-flash", HELLO)
        )


async def test_platform_call_charges_once_per_idempotency_key(
    alice: UserClient, runtime: Runtime, platform_groq: None
) -> None:
    ws = await alice.create_workspace()
    member = member_of(alice, ws)
    for _ in range(2):  # a retry with the same key
        call = await start_call(
            runtime, CallRequest(member, PLATFORM_MODEL, HELLO, idempotency_key="retry-1")
        )
        assert call.key_source == "platform"
        await _drain(call)
    rows = await _usage_rows(runtime, ws)
    charged = [r["credits"] for r in rows if r["credits"]]
    assert len(charged) == 1
    assert -await _ledger_sum(runtime, ws) == charged[0]


async def test_fifty_concurrent_platform_calls_against_a_balance_for_ten(
    alice: UserClient, runtime: Runtime, platform_groq: None, stack: Stack
) -> None:
    ws = await alice.create_workspace()
    _, model = runtime.registry.resolve_model(PLATFORM_MODEL)
    cap = holds.output_cap(model, None, runtime.settings.platform_max_output_tokens)
    hold = holds.hold_credits(model, HELLO, cap)
    async with runtime.sessionmaker() as session:
        await ledger.balance(session, uuid.UUID(ws))  # applies this month's allowance
        # Raise the floor so exactly ten holds fit above it.
        await session.execute(
            sa.text("UPDATE credit_balances SET floor = balance - :room WHERE workspace_id = :w"),
            {"room": 10 * hold, "w": ws},
        )
        await session.commit()
    member = member_of(alice, ws)

    async def one(i: int) -> str:
        try:
            call = await start_call(
                runtime, CallRequest(member, PLATFORM_MODEL, HELLO, idempotency_key=f"c{i}")
            )
        except ledger.CreditsExhausted:
            return "refused"
        await _drain(call)
        return "served"

    # Slow answers: every call holds its credits before any settles (and refunds the rest).
    async with httpx.AsyncClient(base_url=stack.simulator_url or "") as sim:
        await sim.post(
            "/_simulator/scenario", json={"model": PLATFORM_MODEL.split("/", 1)[1], "ttft_ms": 800}
        )
        try:
            results = await asyncio.gather(*(one(i) for i in range(50)))
        finally:
            await sim.delete("/_simulator/scenario")
    assert results.count("served") == 10
    assert results.count("refused") == 40
    async with runtime.engine.connect() as conn:
        row = (
            await conn.execute(
                sa.text("SELECT balance, floor FROM credit_balances WHERE workspace_id = :w"),
                {"w": ws},
            )
        ).one()
    assert row.balance >= row.floor
    usage_total = sum(int(r["credits"]) for r in await _usage_rows(runtime, ws))  # type: ignore[call-overload]
    assert -await _ledger_sum(runtime, ws) == usage_total


async def test_sealed_vault_is_503_with_no_fallback_and_no_charge(
    alice: UserClient, runtime: Runtime, stack: Stack, platform_groq: None
) -> None:
    assert stack.openbao is not None
    ws = await alice.create_workspace()
    await alice.post(
        f"/api/workspaces/{ws}/credentials",
        json={"provider": PLATFORM_PROVIDER, "secret": "gsk_seal_0006"},
    )
    await alice.put(f"/api/workspaces/{ws}/policy", json={"byok_failure": "fallback"})
    runtime.secrets.evict_all()
    stack.openbao.seal()
    try:
        with pytest.raises(SecretStoreUnavailable):
            await start_call(runtime, CallRequest(member_of(alice, ws), PLATFORM_MODEL, HELLO))
    finally:
        stack.openbao.unseal()
    assert await _usage_rows(runtime, ws) == []
    assert await _ledger_sum(runtime, ws) == 0
    call = await start_call(runtime, CallRequest(member_of(alice, ws), PLATFORM_MODEL, HELLO))
    assert call.key_source == "workspace"


async def test_failing_byok_key_falls_back_to_platform_when_policy_says_so(
    alice: UserClient, runtime: Runtime, platform_groq: None
) -> None:
    ws = await alice.create_workspace()
    await alice.post(
        f"/api/workspaces/{ws}/credentials",
        json={"provider": PLATFORM_PROVIDER, "secret": "gsk_ratelimit_0007"},
    )
    member = member_of(alice, ws)
    call = await start_call(runtime, CallRequest(member, PLATFORM_MODEL, HELLO))
    events = await _drain(call)
    assert not any(isinstance(e, FallbackNotice) for e in events)
    assert call.outcome.error_code == "rate_limited"
    assert call.outcome.credits_charged == 0

    await alice.put(f"/api/workspaces/{ws}/policy", json={"byok_failure": "fallback"})
    call = await start_call(runtime, CallRequest(member, PLATFORM_MODEL, HELLO))
    events = await _drain(call)
    notices = [e for e in events if isinstance(e, FallbackNotice)]
    assert len(notices) == 1
    assert notices[0].from_source == "workspace"
    assert call.key_source == "platform"
    assert call.outcome.text
    rows = await _usage_rows(runtime, ws)
    assert any(r["fallback"] and r["key_source"] == "platform" and r["credits"] for r in rows)  # type: ignore[operator]


async def test_budget_is_checked_before_and_enforced_after(
    alice: UserClient, runtime: Runtime
) -> None:
    from workspace.billing.budgets import BudgetExceeded

    ws = await alice.create_workspace()
    await alice.post(
        f"/api/workspaces/{ws}/credentials", json={"provider": "openai", "secret": "sk-budget-0008"}
    )
    resp = await alice.put(
        f"/api/workspaces/{ws}/budgets", json={"workspace_monthly_usd": 0.00001, "members": {}}
    )
    assert resp.status_code == 200, resp.text
    member = member_of(alice, ws)
    await _drain(await start_call(runtime, CallRequest(member, "openai/gpt-4o", HELLO)))
    with pytest.raises(BudgetExceeded) as refused:
        await start_call(runtime, CallRequest(member, "openai/gpt-4o", HELLO))
    assert refused.value.extra["budget"] == "workspace"
    audit = await alice.get(f"/api/workspaces/{ws}/audit", params={"action": "budget.exceeded"})
    assert len(audit.json()) == 1


async def test_an_answer_delivered_first_is_accounted_after_and_once(
    alice: UserClient, runtime: Runtime
) -> None:
    """The gateway ends a stream nobody records before its account (the response's background
    task): read to its end, the call waits for :meth:`account_delivered`; cut short, it is
    accounted at once and the later call does nothing."""
    ws = await alice.create_workspace()
    await alice.post(
        f"/api/workspaces/{ws}/credentials", json={"provider": "openai", "secret": "sk-ws-key-0090"}
    )
    call = await start_call(runtime, CallRequest(member_of(alice, ws), "openai/gpt-4o", HELLO))
    call.account_after_delivery = True
    await _drain(call)
    assert not call.outcome.accounted and await _usage_rows(runtime, ws) == []
    await call.account_delivered()
    await call.account_delivered()
    assert call.outcome.accounted
    assert [r["status"] for r in await _usage_rows(runtime, ws)] == ["complete"]

    cut = await start_call(runtime, CallRequest(member_of(alice, ws), "openai/gpt-4o", HELLO))
    cut.account_after_delivery = True
    events = cut.events()
    await anext(events)
    await events.aclose()  # the client went away
    assert cut.outcome.accounted
    await cut.account_delivered()
    assert sorted(str(r["status"]) for r in await _usage_rows(runtime, ws)) == [
        "complete",
        "incomplete",
    ]
