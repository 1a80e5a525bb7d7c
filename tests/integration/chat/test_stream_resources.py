"""What a stream holds while it waits: compare lanes' calls all in flight at once, and no
PostgreSQL connection held by a stream waiting for its first token."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
from sqlalchemy import text

from tests.integration.chat.conftest import (
    chat_workspace,
    last_seq,
    new_conversation,
    parse_frames,
    sim_requests,
)
from tests.support import Stack, UserClient
from workspace.runtime import Runtime

LANES = [
    "openai/gpt-4o",
    "anthropic/claude-sonnet-4-6",
    "gemini/gemini-2.5-flash",
    "groq/llama-3.3-70b-versatile",
]


async def test_compare_lanes_are_all_at_the_provider_before_any_answers(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    ws = await chat_workspace(alice)
    c = await new_conversation(alice, ws)
    for ref in LANES:
        await sim.post("/_simulator/scenario", json={"model": ref.split("/")[1], "ttft_ms": 1500})
    since = await last_seq(sim)
    logged_at_first_delta: list[dict[str, object]] | None = None
    body = {"content": "all at once?", "models": LANES}
    async with alice.http.stream("POST", f"/api/conversations/{c}/compare", json=body) as resp:
        assert resp.status_code == 200
        buffer = ""
        async for chunk in resp.aiter_text():
            events, buffer = parse_frames(buffer + chunk)
            if logged_at_first_delta is None and any(e.event == "delta" for e in events):
                logged_at_first_delta = await sim_requests(sim, since)
    # Every lane's request reached the provider before the first of them answered: the lanes
    # were started side by side, not one after another.
    assert logged_at_first_delta is not None
    assert sorted(str(r["model"]) for r in logged_at_first_delta) == sorted(
        ref.split("/")[1] for ref in LANES
    )


async def _held(user: UserClient, conversation: str, started: asyncio.Queue[None]) -> None:
    body = {"content": "wait", "model": "openai/gpt-4o-mini", "parent_id": None}
    async with user.http.stream(
        "POST", f"/api/conversations/{conversation}/messages", json=body
    ) as r:
        buffer = ""
        async for chunk in r.aiter_text():
            events, buffer = parse_frames(buffer + chunk)
            if any(e.event == "message.start" for e in events):
                started.put_nowait(None)


async def test_streams_waiting_for_a_first_token_hold_no_database_connection(
    stack: Stack, alice: UserClient, sim: httpx.AsyncClient, runtime: Runtime
) -> None:
    ws = await chat_workspace(alice)
    c = await new_conversation(alice, ws)
    await sim.post("/_simulator/scenario", json={"model": "gpt-4o-mini", "ttft_ms": 60_000})
    # More streams than the app's pool could lend connections for at once.
    n = stack.settings.database_pool_size + stack.settings.database_max_overflow + 4
    started: asyncio.Queue[None] = asyncio.Queue()
    tasks = [asyncio.create_task(_held(alice, c, started)) for _ in range(n)]
    try:
        for _ in range(n):
            await asyncio.wait_for(started.get(), timeout=60)
        async with runtime.sessionmaker() as session:
            busy = (
                await session.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND pid <> pg_backend_pid()"
                        " AND state = 'idle in transaction'"
                    )
                )
            ).scalar_one()
        assert busy == 0, "a waiting stream holds a PostgreSQL connection in a transaction"
        # The app still serves requests that need the pool.
        assert (await alice.get(f"/api/conversations/{c}")).status_code == 200
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
