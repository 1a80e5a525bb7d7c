"""The gateway shares chat's accounting: budgets refuse, the platform key is charged exactly
once, expired tokens are refused, and a header records the exchange as a conversation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import anthropic
import openai
import pytest
import sqlalchemy as sa

from tests.integration.compat.conftest import Gateway, usage_rows, workspace_token
from tests.support import Stack, UserClient
from workspace.accounts.models import ApiToken
from workspace.billing.usage import UsageRecord, record_usage
from workspace.runtime import Runtime

HI = [{"role": "user", "content": "hi"}]


def _openai(gateway: Gateway, token: str | None = None, **headers: str) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(
        base_url=f"{gateway.base_url}/v1",
        api_key=token or gateway.token,
        default_headers=headers or None,
        max_retries=0,
    )


async def test_spent_budget_refuses_in_both_formats(gateway: Gateway, runtime: Runtime) -> None:
    resp = await gateway.user.put(
        f"/api/workspaces/{gateway.ws}/budgets", json={"workspace_monthly_usd": 1.0}
    )
    assert resp.status_code == 200, resp.text
    async with runtime.sessionmaker() as session:
        record = UsageRecord(
            workspace_id=uuid.UUID(gateway.ws),
            user_id=uuid.UUID(gateway.user.id),
            provider="openai",
            model="gpt-4o",
            key_source="workspace",
            cost_usd=1.0,
        )
        await record_usage(session, record)
        await session.commit()
    with pytest.raises(openai.APIStatusError) as refused:
        await _openai(gateway).chat.completions.create(model="openai/gpt-4o", messages=HI)
    assert refused.value.status_code == 402 and refused.value.code == "budget_exceeded"
    client = anthropic.AsyncAnthropic(
        base_url=gateway.base_url, api_key=gateway.token, max_retries=0
    )
    with pytest.raises(anthropic.APIStatusError) as also:
        await client.messages.create(model="openai/gpt-4o", max_tokens=50, messages=HI)  # type: ignore[arg-type]
    assert also.value.status_code == 402
    assert also.value.body["error"]["code"] == "budget_exceeded"  # type: ignore[index]


async def test_platform_calls_are_charged_exactly_once(
    alice: UserClient, runtime: Runtime, platform_openai: None, stack: Stack
) -> None:
    ws = await alice.create_workspace("Platform")  # no key of its own: the platform pays
    gateway = Gateway(ws, await workspace_token(alice, ws), stack.url, alice)
    client = _openai(gateway)
    await client.chat.completions.create(model="openai/gpt-4o-mini", messages=HI)
    stream = await client.chat.completions.create(
        model="openai/gpt-4o-mini", messages=HI, stream=True
    )
    async for _ in stream:
        pass
    rows = await usage_rows(runtime, ws)
    assert [r["key_source"] for r in rows] == ["platform", "platform"]
    assert all(int(str(r["credits"])) > 0 for r in rows)
    async with runtime.sessionmaker() as session:
        charged = await session.execute(
            sa.text(
                "SELECT coalesce(-sum(amount), 0) FROM credit_ledger "
                "WHERE workspace_id = :ws AND kind IN ('hold', 'settle')"
            ),
            {"ws": uuid.UUID(ws)},
        )
        assert int(charged.scalar_one()) == sum(int(str(r["credits"])) for r in rows)


async def test_expired_token_is_refused(gateway: Gateway, runtime: Runtime) -> None:
    resp = await gateway.user.post(
        f"/api/workspaces/{gateway.ws}/tokens",
        json={"name": "short", "expires_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()},
    )
    async with runtime.sessionmaker() as session:
        await session.execute(
            sa.update(ApiToken)
            .where(ApiToken.id == uuid.UUID(resp.json()["id"]))  # type: ignore[arg-type]
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
        await session.commit()
    with pytest.raises(openai.AuthenticationError) as caught:
        await _openai(gateway, resp.json()["token"]).chat.completions.create(
            model="openai/gpt-4o", messages=HI
        )
    assert caught.value.code == "token_expired"


async def test_header_records_the_exchange_as_a_conversation(
    gateway: Gateway, runtime: Runtime
) -> None:
    client = _openai(gateway)
    first = await client.chat.completions.with_raw_response.create(
        model="openai/gpt-4o",
        messages=[{"role": "user", "content": "remember otters"}],
        extra_headers={"X-Switchboard-Conversation": "new"},
    )
    conversation = first.headers["x-switchboard-conversation"]
    answer = first.parse().choices[0].message.content or ""
    stream = await client.chat.completions.create(
        model="anthropic/claude-sonnet-4-6",
        messages=[
            {"role": "user", "content": "remember otters"},
            {"role": "assistant", "content": answer},
            {"role": "user", "content": "and badgers"},
        ],
        stream=True,
        extra_headers={"X-Switchboard-Conversation": conversation},
    )
    async for _ in stream:
        pass
    opened = await gateway.user.get(f"/api/conversations/{conversation}")
    assert opened.status_code == 200, opened.text
    body = opened.json()
    path = [m for m in body["messages"] if m["id"] in body["current_path"]]
    assert [m["role"] for m in path] == ["user", "assistant", "user", "assistant"]
    assert path[-1]["status"] == "complete" and path[-1]["model"] == "anthropic/claude-sonnet-4-6"
    rows = await usage_rows(runtime, gateway.ws)
    assert {str(r["conversation_id"]) for r in rows} == {conversation}


async def test_another_workspaces_conversation_is_404(gateway: Gateway) -> None:
    theirs = await gateway.user.create_workspace("Elsewhere")
    other = await gateway.user.post(f"/api/workspaces/{theirs}/conversations", json={"title": "x"})
    with pytest.raises(openai.NotFoundError) as caught:
        await _openai(gateway).chat.completions.create(
            model="openai/gpt-4o",
            messages=HI,
            extra_headers={"X-Switchboard-Conversation": other.json()["id"]},
        )
    assert caught.value.code == "not_found"
