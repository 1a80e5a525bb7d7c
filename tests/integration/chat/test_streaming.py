"""Streaming behaviour: a client that leaves cancels the provider call; retries run once."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.integration.chat.conftest import (
    chat_workspace,
    last_seq,
    new_conversation,
    one,
    parse_frames,
    sim_requests,
    stream,
    text_of,
)
from tests.support import Stack, UserClient


async def _poll(check: Any, timeout: float = 10.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result or asyncio.get_running_loop().time() > deadline:
            return result
        await asyncio.sleep(0.1)


async def test_closing_the_client_cancels_upstream_and_keeps_the_partial_answer(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    ws = await chat_workspace(alice)
    c = await new_conversation(alice, ws)
    await sim.post(
        "/_simulator/scenario", json={"model": "gpt-4o", "interval_ms": 300, "chunks": 20}
    )
    since = await last_seq(sim)
    received = ""
    async with alice.http.stream(
        "POST",
        f"/api/conversations/{c}/messages",
        json={"content": "slow", "model": "openai/gpt-4o"},
    ) as response:
        buffer, deltas = "", 0
        async for chunk in response.aiter_text():
            events, buffer = parse_frames(buffer + chunk)
            for event in events:
                if event.event == "delta":
                    received += event.data["text"]
                    deltas += 1
            if deltas >= 2:
                break  # leaving the block closes the connection mid-stream

    async def disconnected() -> list[dict[str, Any]]:
        return [r for r in await sim_requests(sim, since) if r["disconnected"]]

    assert await _poll(disconnected), "the simulator never saw the client go away"

    async def stored() -> dict[str, Any] | None:
        # The answer exists (status streaming) from the first byte: wait for its final state.
        detail = (await alice.get(f"/api/conversations/{c}")).json()
        answers = [m for m in detail["messages"] if m["role"] == "assistant"]
        return answers[0] if answers and answers[0]["status"] != "streaming" else None

    answer = await _poll(stored)
    assert answer is not None
    assert answer["status"] == "incomplete"
    assert answer["text"].startswith(received)
    assert "last_user=slow" not in answer["text"], "the answer must be cut short"


async def test_same_idempotency_key_runs_once_and_replays(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    ws = await chat_workspace(alice)
    c = await new_conversation(alice, ws)
    since = await last_seq(sim)
    body = {"content": "exactly once", "model": "openai/gpt-4o"}
    headers = {"Idempotency-Key": "chat-idem-0001"}

    first = await stream(alice, f"/api/conversations/{c}/messages", body, headers)
    second = await stream(alice, f"/api/conversations/{c}/messages", body, headers)

    assert text_of(second) == text_of(first)
    assert one(second, "message.end")["message_id"] == one(first, "message.end")["message_id"]
    assert one(second, "message.end")["replayed"] is True
    assert len(await sim_requests(sim, since)) == 1
    detail = (await alice.get(f"/api/conversations/{c}")).json()
    assert [m["role"] for m in detail["messages"]] == ["user", "assistant"]
    reused = await alice.post(
        f"/api/conversations/{c}/messages", json={**body, "content": "other"}, headers=headers
    )
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"


async def test_retry_while_running_is_told_to_wait(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    ws = await chat_workspace(alice)
    c = await new_conversation(alice, ws)
    await sim.post("/_simulator/scenario", json={"model": "gpt-4o", "ttft_ms": 1500})
    body = {"content": "patience", "model": "openai/gpt-4o"}
    headers = {"Idempotency-Key": "chat-idem-0002"}
    running = asyncio.create_task(stream(alice, f"/api/conversations/{c}/messages", body, headers))
    await asyncio.sleep(0.5)
    retry = await alice.post(f"/api/conversations/{c}/messages", json=body, headers=headers)
    assert retry.status_code == 409
    assert retry.json()["code"] == "request_in_progress"
    assert one(await running, "message.end")["status"] == "complete"


async def test_refused_call_streams_nothing_and_stores_nothing(alice: UserClient) -> None:
    ws = await alice.create_workspace("No keys")
    c = await new_conversation(alice, ws)
    resp = await alice.post(
        f"/api/conversations/{c}/messages", json={"content": "hi", "model": "openai/gpt-4o"}
    )
    assert resp.status_code == 409
    assert resp.json()["code"] == "no_key_available"
    unknown = await alice.post(
        f"/api/conversations/{c}/messages", json={"content": "hi", "model": "openai/nope"}
    )
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "model_not_found"
    assert (await alice.get(f"/api/conversations/{c}")).json()["messages"] == []


async def test_a_claim_left_running_by_a_dead_process_is_taken_over(
    alice: UserClient, stack: Stack
) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    ws = await chat_workspace(alice)
    c = await new_conversation(alice, ws)
    body = {"content": "after a crash", "model": "openai/gpt-4o"}
    headers = {"Idempotency-Key": "chat-idem-stale"}
    first = await stream(alice, f"/api/conversations/{c}/messages", body, headers)
    assert one(first, "message.end")["status"] == "complete"
    # Make the record look like a request whose process died long ago, mid-stream.
    engine = create_async_engine(stack.settings.database_url or "")
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE chat_idempotency SET status = 'running', message_ids = '[]',"
                " updated_at = now() - make_interval(secs => :age) WHERE key = :k"
            ),
            {"age": stack.settings.idempotency_stale_s + 5, "k": "chat-idem-stale"},
        )
    await engine.dispose()
    retry = await stream(alice, f"/api/conversations/{c}/messages", body, headers)
    assert one(retry, "message.end")["status"] == "complete"
