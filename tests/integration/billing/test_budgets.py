"""Budgets: checked before a call, enforced after it, set by admins through the API."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.billing.conftest import Maker
from tests.support import UserClient
from workspace.billing import budgets
from workspace.billing.usage import UsageRecord, record_usage


async def _spend(maker: Maker, ws: str, user: str, usd: float, source: str = "workspace") -> None:
    async with maker() as s:
        await record_usage(
            s,
            UsageRecord(
                workspace_id=uuid.UUID(ws),
                user_id=uuid.UUID(user),
                provider="anthropic",
                model="claude-sonnet-4-6",
                key_source=source,
                cost_usd=usd,
            ),
        )
        await s.commit()


async def test_spent_workspace_budget_refuses_the_next_call(
    alice: UserClient, maker: Maker
) -> None:
    ws = await alice.create_workspace()
    resp = await alice.put(f"/api/workspaces/{ws}/budgets", json={"workspace_monthly_usd": 1.0})
    assert resp.status_code == 200, resp.text
    await _spend(maker, ws, alice.id, 0.6)  # BYOK spend counts towards budgets
    async with maker() as s:
        await budgets.check_budgets(s, uuid.UUID(ws), uuid.UUID(alice.id))
    await _spend(maker, ws, alice.id, 0.4, source="platform")
    async with maker() as s:
        with pytest.raises(budgets.BudgetExceeded) as caught:
            await budgets.check_budgets(s, uuid.UUID(ws), uuid.UUID(alice.id))
    assert caught.value.code == "budget_exceeded" and caught.value.status == 402
    assert caught.value.extra["budget"] == "workspace"
    assert "$1.00" in caught.value.detail


async def test_spent_member_budget_refuses_only_that_member(
    alice: UserClient, bob: UserClient, maker: Maker
) -> None:
    ws = await alice.create_workspace()
    await bob.join(alice, ws, "member")
    resp = await alice.put(
        f"/api/workspaces/{ws}/budgets",
        json={"workspace_monthly_usd": 100.0, "members": {bob.id: 0.5}},
    )
    assert resp.status_code == 200, resp.text
    await _spend(maker, ws, bob.id, 0.5)
    async with maker() as s:
        with pytest.raises(budgets.BudgetExceeded) as caught:
            await budgets.check_budgets(s, uuid.UUID(ws), uuid.UUID(bob.id))
        await budgets.check_budgets(s, uuid.UUID(ws), uuid.UUID(alice.id))
    assert caught.value.extra["budget"] == "member"
    assert "$0.50" in caught.value.detail


async def test_the_call_that_crosses_a_budget_is_reported_once(
    alice: UserClient, maker: Maker
) -> None:
    ws = await alice.create_workspace()
    await alice.put(f"/api/workspaces/{ws}/budgets", json={"workspace_monthly_usd": 1.0})
    ids = uuid.UUID(ws), uuid.UUID(alice.id)
    await _spend(maker, ws, alice.id, 0.7)
    async with maker() as s:
        assert await budgets.over_budget_after(s, *ids, 700_000) is None
    await _spend(maker, ws, alice.id, 0.7)
    async with maker() as s:
        assert await budgets.over_budget_after(s, *ids, 700_000) == "workspace"
    await _spend(maker, ws, alice.id, 0.1)
    async with maker() as s:
        assert await budgets.over_budget_after(s, *ids, 100_000) is None


async def test_put_budgets_replaces_them_and_is_audited(alice: UserClient, bob: UserClient) -> None:
    ws = await alice.create_workspace()
    await bob.join(alice, ws, "member")
    body = {"workspace_monthly_usd": 25.5, "members": {bob.id: 3.0}}
    assert (await alice.put(f"/api/workspaces/{ws}/budgets", json=body)).status_code == 200
    got = (await alice.get(f"/api/workspaces/{ws}/budgets")).json()
    assert got["workspace_monthly_usd"] == 25.5
    assert got["members"] == {bob.id: 3.0}
    cleared = await alice.put(f"/api/workspaces/{ws}/budgets", json={"members": {bob.id: None}})
    assert cleared.json()["workspace_monthly_usd"] is None
    assert cleared.json()["members"] == {}
    audit = (await alice.get(f"/api/workspaces/{ws}/audit?action=budget.updated")).json()
    assert len(audit) == 2
    assert audit[-1]["details"] == {"workspace_monthly_usd": 25.5, "members": {bob.id: 3.0}}


async def test_budgets_only_for_members(alice: UserClient, bob: UserClient) -> None:
    ws = await alice.create_workspace()
    resp = await alice.put(f"/api/workspaces/{ws}/budgets", json={"members": {bob.id: 1.0}})
    assert resp.status_code == 422
    assert resp.json()["code"] == "invalid_input"


async def test_a_member_cannot_set_budgets_and_an_outsider_sees_nothing(
    alice: UserClient, bob: UserClient
) -> None:
    ws = await alice.create_workspace()
    other = await bob.create_workspace()
    assert (await bob.get(f"/api/workspaces/{ws}/budgets")).status_code == 404
    assert (await bob.put(f"/api/workspaces/{ws}/budgets", json={})).status_code == 404
    await bob.join(alice, ws, "member")
    assert (await bob.get(f"/api/workspaces/{ws}/budgets")).status_code == 200
    denied = await bob.put(f"/api/workspaces/{ws}/budgets", json={"workspace_monthly_usd": 1})
    assert denied.status_code == 403
    assert (await alice.get(f"/api/workspaces/{other}/budgets")).status_code == 404
