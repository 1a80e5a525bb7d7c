"""A workspace can say "own keys only": the platform's hosted keys are then never used, not even
as a fallback. Without that, a call the platform key serves because no own key exists says so in
the stream and on the stored message."""

from __future__ import annotations

import sqlalchemy as sa

from tests.integration.calls.test_gateway import PLATFORM_MODEL
from tests.integration.chat.conftest import new_conversation, one, stream
from tests.support import UserClient
from workspace.runtime import Runtime

HELLO = {"content": "hello", "model": PLATFORM_MODEL}


async def _ledger_rows(runtime: Runtime, ws: str) -> int:
    async with runtime.engine.connect() as conn:
        query = "SELECT count(*) FROM credit_ledger WHERE workspace_id = :w AND kind = 'hold'"
        return int((await conn.execute(sa.text(query), {"w": ws})).scalar_one())


async def test_own_keys_only_never_reaches_the_platform_key(
    alice: UserClient,
    runtime: Runtime,
    platform_groq: None,
) -> None:
    ws = await alice.create_workspace()
    policy = await alice.put(f"/api/workspaces/{ws}/policy", json={"own_keys_only": True})
    assert policy.status_code == 200, policy.text
    assert policy.json()["own_keys_only"] is True
    models = (await alice.get(f"/api/workspaces/{ws}/models")).json()
    assert next(m for m in models if m["id"] == PLATFORM_MODEL)["key_source"] is None
    conversation = await new_conversation(alice, ws)
    refused = await alice.post(f"/api/conversations/{conversation}/messages", json=HELLO)
    assert refused.status_code == 409
    assert refused.json()["code"] == "no_key_available"
    # A failing own key does not fall back either, whatever byok_failure says.
    await alice.post(
        f"/api/workspaces/{ws}/credentials",
        json={"provider": "groq", "label": "limited", "secret": "gsk_ratelimit_0007"},
    )
    await alice.put(
        f"/api/workspaces/{ws}/policy", json={"own_keys_only": True, "byok_failure": "fallback"}
    )
    events = await stream(alice, f"/api/conversations/{conversation}/messages", HELLO)
    assert one(events, "error")["code"] == "rate_limited"
    assert not [e for e in events if e.event == "fallback"]
    assert await _ledger_rows(runtime, ws) == 0


async def test_a_platform_answer_without_an_own_key_says_so(
    alice: UserClient,
    runtime: Runtime,
    platform_groq: None,
) -> None:
    ws = await alice.create_workspace()
    conversation = await new_conversation(alice, ws)
    events = await stream(alice, f"/api/conversations/{conversation}/messages", HELLO)
    notice = one(events, "fallback")
    assert (notice["from_source"], notice["reason"]) == ("none", "no_own_key")
    assert one(events, "message.end")["credits"] > 0
    detail = (await alice.get(f"/api/conversations/{conversation}")).json()
    answer = next(m for m in detail["messages"] if m["role"] == "assistant")
    assert (answer["key_source"], answer["fallback_from"]) == ("platform", "none")
    page = await alice.get(f"/w/{ws}/c/{conversation}")
    assert "No own key for this provider" in page.text
