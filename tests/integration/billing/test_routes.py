"""The usage report, its CSV export and the credits page, over HTTP."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

from tests.integration.billing.conftest import Maker
from tests.support import UserClient
from workspace.billing.plans import PLANS
from workspace.billing.usage import UsageRecord, record_usage


async def _seed(maker: Maker, ws: str, alice: UserClient, bob: UserClient) -> None:
    rows = [
        (alice.id, "openai", "gpt-4o", "workspace", 0.01, 0),
        (alice.id, "openai", "gpt-4o", "platform", 0.02, 20),
        (bob.id, "anthropic", "claude-sonnet-4-6", "personal", 0.03, 0),
    ]
    async with maker() as s:
        for user, provider, model, source, cost, credits in rows:
            await record_usage(
                s,
                UsageRecord(
                    workspace_id=uuid.UUID(ws),
                    user_id=uuid.UUID(user),
                    provider=provider,
                    model=model,
                    key_source=source,
                    input_tokens=100,
                    output_tokens=10,
                    cost_usd=cost,
                    credits=credits,
                ),
            )
        await s.commit()


async def test_usage_groups_and_splits_byok_from_platform(
    alice: UserClient, bob: UserClient, maker: Maker
) -> None:
    ws = await alice.create_workspace()
    await bob.join(alice, ws, "member")
    await _seed(maker, ws, alice, bob)
    by_model = (await alice.get(f"/api/workspaces/{ws}/usage?group_by=model")).json()
    assert {r["group"]: r["calls"] for r in by_model["rows"]} == {
        "anthropic/claude-sonnet-4-6": 1,
        "openai/gpt-4o": 2,
    }
    assert by_model["total"]["calls"] == 3 and by_model["total"]["input_tokens"] == 300
    assert by_model["byok"]["calls"] == 2 and by_model["byok"]["credits"] == 0
    assert by_model["platform"]["credits"] == 20
    assert abs(by_model["byok"]["cost_usd"] - 0.04) < 1e-9
    by_member = (await alice.get(f"/api/workspaces/{ws}/usage?group_by=member")).json()
    assert {r["group"]: r["calls"] for r in by_member["rows"]} == {alice.id: 2, bob.id: 1}
    by_source = (await alice.get(f"/api/workspaces/{ws}/usage?group_by=source")).json()
    assert [r["group"] for r in by_source["rows"]] == ["personal", "platform", "workspace"]
    by_day = (await alice.get(f"/api/workspaces/{ws}/usage")).json()
    assert [r["group"] for r in by_day["rows"]] == [f"{datetime.now(UTC):%Y-%m-%d}"]


async def test_usage_window_excludes_other_times(
    alice: UserClient, bob: UserClient, maker: Maker
) -> None:
    ws = await alice.create_workspace()
    await bob.join(alice, ws, "member")
    await _seed(maker, ws, alice, bob)
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    resp = await alice.get(f"/api/workspaces/{ws}/usage", params={"since": future})
    assert resp.status_code == 422  # since must be before until (now)
    resp = await alice.get(
        f"/api/workspaces/{ws}/usage",
        params={"since": "2020-01-01T00:00:00Z", "until": "2020-02-01T00:00:00Z"},
    )
    assert resp.json()["rows"] == [] and resp.json()["total"]["calls"] == 0


async def test_usage_csv_has_a_header_and_one_row_per_group(
    alice: UserClient, bob: UserClient, maker: Maker
) -> None:
    ws = await alice.create_workspace()
    await bob.join(alice, ws, "member")
    await _seed(maker, ws, alice, bob)
    resp = await alice.get(f"/api/workspaces/{ws}/usage.csv?group_by=provider")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/csv")
    assert "attachment" in resp.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(resp.text)))
    assert lines[0] == [
        "group_by",
        "group",
        "calls",
        "input_tokens",
        "output_tokens",
        "cached_tokens",
        "cost_usd",
        "credits",
    ]
    assert lines[1:] == [
        ["provider", "anthropic", "1", "100", "10", "0", "0.030000", "0"],
        ["provider", "openai", "2", "200", "20", "0", "0.030000", "20"],
    ]


async def test_usage_is_for_admins_and_invisible_to_outsiders(
    alice: UserClient, bob: UserClient
) -> None:
    ws = await alice.create_workspace()
    for path in ("usage", "usage.csv", "credits"):
        assert (await bob.get(f"/api/workspaces/{ws}/{path}")).status_code == 404
    await bob.join(alice, ws, "member")
    for path in ("usage", "usage.csv"):
        resp = await bob.get(f"/api/workspaces/{ws}/{path}")
        assert resp.status_code == 403
        assert resp.json()["code"] == "permission_denied"


async def test_any_member_reads_credits_with_the_monthly_allowance(
    alice: UserClient, bob: UserClient
) -> None:
    ws = await alice.create_workspace()
    await bob.join(alice, ws, "viewer")
    body = (await bob.get(f"/api/workspaces/{ws}/credits")).json()
    allowance = PLANS["free"].monthly_credits
    assert body["plan"] == "free" and body["monthly_allowance"] == allowance
    assert body["balance"] == allowance and body["available"] == allowance
    # Reading is read-only: the allowance shows, and is granted by the month's first call.
    assert body["recent"] == []
    again = (await alice.get(f"/api/workspaces/{ws}/credits")).json()
    assert again["balance"] == allowance and again["recent"] == []
