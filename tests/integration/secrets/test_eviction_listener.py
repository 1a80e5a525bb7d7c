"""The LISTEN connection that carries other replicas' secret evictions survives losing PostgreSQL:
it reconnects with backoff, says so in the log, and empties the cache (notices were missed)."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import httpx
import pytest
import sqlalchemy as sa

from tests.support import Stack
from workspace.runtime import Runtime
from workspace.secrets.eviction import APPLICATION_NAME, EvictionListener, announce, listening
from workspace.secrets.vault import SecretStore


async def _until(condition: Callable[[], bool], timeout: float = 5.0) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, "condition not met in time"
        await asyncio.sleep(0.02)
    return time.monotonic() - started


async def _kill_listeners(runtime: Runtime) -> int:
    """pg_terminate_backend on every eviction LISTEN connection (what a failover does)."""
    async with runtime.engine.connect() as conn:
        result = await conn.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = :name"
            ),
            {"name": APPLICATION_NAME},
        )
        return int(result.scalar_one())


def _listen(stack: Stack, secrets: SecretStore) -> AbstractAsyncContextManager[EvictionListener]:
    assert stack.settings.database_url is not None
    return listening(
        stack.settings.database_url, secrets, check_interval_s=0.5, reconnect_max_s=0.5
    )


async def test_a_notice_evicts_the_cached_secret(stack: Stack, runtime: Runtime) -> None:
    path = f"tests/evict/{uuid.uuid4().hex}"
    secrets = SecretStore(stack.settings)
    await runtime.secrets.write(path, {"value": "one"})
    async with _listen(stack, secrets) as listener:
        await _until(lambda: listener.connected)
        assert (await secrets.read(path))[0] == {"value": "one"}
        await runtime.secrets.write(path, {"value": "two"})
        async with runtime.sessionmaker() as session:
            await announce(session, runtime.secrets, path)
            await session.commit()
        await _until(lambda: path not in secrets._cache, timeout=1.0)
        assert (await secrets.read(path))[0] == {"value": "two"}


async def test_after_pg_terminate_backend_it_reconnects_logs_and_clears_the_cache(
    stack: Stack, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="workspace.secrets.eviction")
    path = f"tests/evict/{uuid.uuid4().hex}"
    secrets = SecretStore(stack.settings)
    await runtime.secrets.write(path, {"value": "one"})
    async with _listen(stack, secrets) as listener:
        await _until(lambda: listener.connected)
        assert (await secrets.read(path))[0] == {"value": "one"}
        # A change whose notice this listener never gets (sent while it was away).
        await runtime.secrets.write(path, {"value": "two"})
        assert (await secrets.read(path))[0] == {"value": "one"}, "served from the cache"

        assert await _kill_listeners(runtime) >= 1
        await _until(lambda: listener.reconnects >= 1 and listener.connected, timeout=3.0)

        assert (await secrets.read(path))[0] == {"value": "two"}
    messages = [r.getMessage() for r in caplog.records]
    assert any("no PostgreSQL connection" in m for m in messages), messages
    assert any("reconnected" in m for m in messages), messages


async def test_every_loss_after_a_good_connection_starts_the_backoff_afresh(
    stack: Stack, runtime: Runtime
) -> None:
    assert stack.settings.database_url is not None
    secrets = SecretStore(stack.settings)
    async with listening(
        stack.settings.database_url, secrets, check_interval_s=5.0, reconnect_max_s=5.0
    ) as listener:
        await _until(lambda: listener.connected)
        for losses in range(1, 6):  # without the reset the 5th wait would be 1.6 s
            assert await _kill_listeners(runtime) >= 1
            took = await _until(lambda n=losses: listener.reconnects >= n and listener.connected)
            assert took < 1.0, f"reconnect {losses} took {took:.2f} s"


async def test_while_away_the_cache_is_bypassed(stack: Stack, runtime: Runtime) -> None:
    path = f"tests/evict/{uuid.uuid4().hex}"
    secrets = SecretStore(stack.settings)
    await runtime.secrets.write(path, {"value": "one"})
    assert stack.settings.database_url is not None
    listener = EvictionListener(stack.settings.database_url, secrets)
    assert listener.state == "reconnecting"  # never connected: nothing cached is trusted
    await secrets.read(path)
    await runtime.secrets.write(path, {"value": "two"})
    assert (await secrets.read(path))[0] == {"value": "two"}


async def test_readyz_reports_the_listener_and_it_comes_back(
    stack: Stack, runtime: Runtime, anon: httpx.AsyncClient
) -> None:
    assert (await anon.get("/readyz")).json()["eviction"] == "ok"
    assert await _kill_listeners(runtime) >= 1
    started = time.monotonic()
    while (await anon.get("/readyz")).json()["eviction"] != "ok":
        assert time.monotonic() - started < 10
        await asyncio.sleep(0.05)
    resp = await anon.get("/readyz")
    assert resp.status_code == 200
