"""An answer is durable while it streams, and a call whose process died is recovered.

The crash test runs ``switchboard run`` itself on the shared PostgreSQL, OpenBao and simulator,
kills it with SIGKILL in the middle of a slow platform-paid stream, starts it again, and checks
that nothing stays stuck: the next message is served at once, the answer is closed as
``incomplete`` with the text that had been saved, the hold is settled to what was generated
(charge == recorded cost), and a retry of the same request replays the saved answer.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid

import httpx
import sqlalchemy as sa

from tests.integration.chat.conftest import chat_workspace, new_conversation, one, read_events
from tests.support import Stack, UserClient, new_user, switchboard_run
from workspace.billing import plans
from workspace.cli.embedded.ports import free_port
from workspace.runtime import Runtime

SLOW = {"model": "gpt-4o", "chunks": 60, "interval_ms": 100, "reply": "word " * 120}


async def _row(runtime: Runtime, query: str, **params: object) -> sa.Row[tuple[object, ...]]:
    async with runtime.engine.connect() as conn:
        return (await conn.execute(sa.text(query), params)).one()


async def test_the_answer_exists_and_grows_while_it_streams(
    alice: UserClient, runtime: Runtime, sim: httpx.AsyncClient
) -> None:
    ws = await chat_workspace(alice)
    conversation = await new_conversation(alice, ws)
    await sim.post("/_simulator/scenario", json=SLOW)
    body = {"content": "tell me slowly", "model": "openai/gpt-4o"}
    async with alice.http.stream(
        "POST", f"/api/conversations/{conversation}/messages", json=body
    ) as response:
        reading = asyncio.create_task(read_events(response))
        await asyncio.sleep(2.5)
        detail = (await alice.get(f"/api/conversations/{conversation}")).json()
        answer = next(m for m in detail["messages"] if m["role"] == "assistant")
        assert answer["status"] == "streaming"
        assert answer["text"].startswith("word word")  # checkpointed while streaming
        assert detail["conversation"]["current_leaf_id"] == answer["id"]
        live = await _row(
            runtime, "SELECT count(*) FROM live_calls WHERE message_id = :m", m=answer["id"]
        )
        assert live[0] == 1
        events = await reading
    assert one(events, "message.end")["status"] == "complete"
    done = await _row(
        runtime,
        "SELECT status, (SELECT count(*) FROM live_calls WHERE message_id = m.id)"
        " FROM chat_messages m WHERE id = :m",
        m=answer["id"],
    )
    assert tuple(done) == ("complete", 0)


async def test_kill_9_mid_stream_recovers_message_hold_and_claim(
    stack: Stack, runtime: Runtime, sim: httpx.AsyncClient, platform_openai: None
) -> None:
    settings = stack.settings.model_copy(
        update={
            "port": free_port(),
            "call_lease_s": 2.0,
            "sweep_interval_s": 0.5,
            "stream_checkpoint_s": 0.3,
        }
    )
    url = f"http://127.0.0.1:{settings.port}"
    target = Stack(settings, url, stack.postgres, stack.openbao, stack.simulator_url)
    await sim.post("/_simulator/scenario", json=SLOW)
    key = f"crash-{uuid.uuid4()}"
    with switchboard_run(settings) as first:
        async with new_user(target, "crash") as user:
            ws = await user.create_workspace("Crash")  # no keys: the platform key pays
            conversation = await new_conversation(user, ws)
            body = {"content": "a slow answer please", "model": "openai/gpt-4o"}
            async with user.http.stream(
                "POST",
                f"/api/conversations/{conversation}/messages",
                json=body,
                headers={"Idempotency-Key": key},
            ) as response:
                assert response.status_code == 200
                await asyncio.sleep(2.0)
                os.kill(first.pid, signal.SIGKILL)
                first.wait(10)
    killed_at = time.monotonic()
    with switchboard_run(settings):
        async with httpx.AsyncClient(base_url=url, timeout=30, cookies=user.http.cookies) as http:
            http.headers["X-CSRF-Token"] = user.http.headers["X-CSRF-Token"]
            await sim.delete("/_simulator/scenario")
            # Served at once: the conversation continues from the (saved) partial answer.
            async with http.stream(
                "POST",
                f"/api/conversations/{conversation}/messages",
                json={"content": "still there?", "model": "openai/gpt-4o"},
            ) as after:
                assert after.status_code == 200, await after.aread()
                assert one(await read_events(after), "message.end")["status"] == "complete"
            # Recovered by the new process's sweep once the dead lease ran out.
            deadline = time.monotonic() + 20
            while True:
                detail = (await http.get(f"/api/conversations/{conversation}")).json()
                first_answer = next(m for m in detail["messages"] if m["role"] == "assistant")
                if first_answer["status"] != "streaming" or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.2)
            recovered_in = time.monotonic() - killed_at
            assert first_answer["status"] == "incomplete"
            assert first_answer["finish_reason"] == "interrupted"
            assert first_answer["text"].startswith("word")
            assert recovered_in < 15, recovered_in
            # The hold is settled to the recorded cost of what was generated.
            usage = await _row(
                runtime,
                "SELECT credits, cost_usd_micros FROM usage_events"
                " WHERE workspace_id = :w AND status = 'incomplete'",
                w=ws,
            )
            assert usage.credits == plans.credits_for_micros(usage.cost_usd_micros) > 0
            charged = await _row(
                runtime,
                "SELECT coalesce(-sum(amount), 0) FROM credit_ledger"
                " WHERE workspace_id = :w AND kind IN ('hold', 'settle')",
                w=ws,
            )
            all_usage = await _row(
                runtime, "SELECT sum(credits) FROM usage_events WHERE workspace_id = :w", w=ws
            )
            assert charged[0] == all_usage[0]
            assert (
                await _row(runtime, "SELECT count(*) FROM live_calls WHERE workspace_id = :w", w=ws)
            )[0] == 0
            # The idempotency claim was finished: a retry replays the saved answer.
            async with http.stream(
                "POST",
                f"/api/conversations/{conversation}/messages",
                json=body,
                headers={"Idempotency-Key": key},
            ) as retry:
                assert retry.status_code == 200
                replayed = one(await read_events(retry), "message.end")
            assert replayed["message_id"] == first_answer["id"]
            assert replayed["status"] == "incomplete"
