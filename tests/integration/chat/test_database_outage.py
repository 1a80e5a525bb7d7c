"""PostgreSQL stopped and started under streaming load: in-flight streams end with an ``error``
event (never a 500), requests meanwhile get 503 ``database_unavailable`` with Retry-After, and
once the database is back nothing stays stuck: every conversation takes its next message and no
answer, lease or claim is left half-done.

The test runs its own throwaway PostgreSQL (so stopping it cannot disturb the other tests) with
the app in its own process, on the shared OpenBao and simulator.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from tests.integration.chat.conftest import KEYS, Event, new_conversation, one, read_events
from tests.support import Stack, UserClient, app_process, new_user
from workspace.cli.embedded.ports import free_port
from workspace.cli.embedded.postgres import EmbeddedPostgres, start_embedded_postgres
from workspace.schema.migrate import upgrade

STREAMS = 8
LEASES = "SELECT count(*) FROM live_calls"
STREAMING = "SELECT count(*) FROM chat_messages WHERE status = 'streaming'"
SLOW = {"model": "gpt-4o", "chunks": 40, "interval_ms": 100, "reply": "word " * 80}


@pytest.fixture
def own_postgres() -> Iterator[tuple[Path, EmbeddedPostgres]]:
    data_dir = Path(tempfile.mkdtemp(prefix="switchboard-outage-"))
    postgres = start_embedded_postgres(data_dir)
    upgrade(postgres.url)
    try:
        yield data_dir, postgres
    finally:
        start_embedded_postgres(data_dir, delete_on_stop=True).stop()


async def _stream(user: UserClient, conversation: str) -> tuple[int, list[Event]]:
    body = {"content": "slowly, please", "model": "openai/gpt-4o"}
    async with user.http.stream(
        "POST", f"/api/conversations/{conversation}/messages", json=body
    ) as response:
        return response.status_code, await read_events(response)


async def test_postgres_restart_under_streaming_load_leaves_nothing_stuck(
    stack: Stack, sim: httpx.AsyncClient, own_postgres: tuple[Path, EmbeddedPostgres]
) -> None:
    data_dir, postgres = own_postgres
    settings = stack.settings.model_copy(
        update={
            "database_url": postgres.url,
            "port": free_port(),
            "call_lease_s": 2.0,
            "sweep_interval_s": 0.5,
            "stream_checkpoint_s": 0.3,
        }
    )
    target = Stack(settings, f"http://127.0.0.1:{settings.port}", None, None, stack.simulator_url)
    with app_process(settings):
        async with new_user(target, "outage") as user:
            ws = await user.create_workspace("Outage")
            added = await user.post(
                f"/api/workspaces/{ws}/credentials",
                json={"provider": "openai", "secret": KEYS["openai"]},
            )
            assert added.status_code == 201, added.text
            conversations = [await new_conversation(user, ws) for _ in range(STREAMS)]
            await sim.post("/_simulator/scenario", json=SLOW)
            streams = [asyncio.create_task(_stream(user, c)) for c in conversations]
            await asyncio.sleep(1.5)
            postgres.stop()
            stopped_at = time.monotonic()

            down = await user.get(f"/api/workspaces/{ws}/conversations")
            assert down.status_code == 503, down.text
            assert down.json()["code"] == "database_unavailable"
            assert down.headers["retry-after"] == "5"
            results = await asyncio.gather(*streams)
            for status, events in results:
                assert status == 200
                errors = [e.data["code"] for e in events if e.event == "error"]
                assert errors == ["database_unavailable"], events
                assert events[-1].event == "message.end"

            start_embedded_postgres(data_dir)
            await sim.delete("/_simulator/scenario")
            # Back: every conversation takes its next message at once.
            for conversation in conversations:
                async with user.http.stream(
                    "POST",
                    f"/api/conversations/{conversation}/messages",
                    json={"content": "back?", "model": "openai/gpt-4o"},
                ) as after:
                    assert after.status_code == 200, await after.aread()
                    assert one(await read_events(after), "message.end")["status"] == "complete"
            # And the sweep closes what the outage interrupted.
            engine = create_async_engine(postgres.url)
            try:
                deadline = time.monotonic() + 20
                while True:
                    async with engine.connect() as conn:
                        leases = (
                            await conn.execute(sa.text("SELECT count(*) FROM live_calls"))
                        ).scalar_one()
                        streaming = (
                            await conn.execute(
                                sa.text(
                                    "SELECT count(*) FROM chat_messages WHERE status = 'streaming'"
                                )
                            )
                        ).scalar_one()
                    if (leases == 0 and streaming == 0) or time.monotonic() > deadline:
                        break
                    await asyncio.sleep(0.2)
                recovered_in = time.monotonic() - stopped_at
                assert (leases, streaming) == (0, 0)
                async with engine.connect() as conn:
                    statuses = (
                        await conn.execute(
                            sa.text(
                                "SELECT status, finish_reason, count(*) FROM chat_messages"
                                " WHERE role = 'assistant' GROUP BY 1, 2"
                            )
                        )
                    ).all()
            finally:
                await engine.dispose()
            assert recovered_in < 30, recovered_in
            by_status = {(s, r): n for s, r, n in statuses}
            assert by_status.get(("complete", "stop")) == STREAMS  # the answers after recovery
            assert sum(by_status.values()) == 2 * STREAMS
            print(f"recovered {STREAMS} interrupted streams {recovered_in:.1f} s after the stop")
