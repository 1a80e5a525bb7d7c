"""The pool pings a connection only after it sat idle (SWITCHBOARD_DATABASE_PING_IDLE_S): a busy
pool sends no ``;`` before each use, and a connection killed while idle (a failover, an admin's
``pg_terminate_backend``) is replaced on checkout instead of failing the request."""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import Stack
from workspace.db.sessions import make_engine


def _count_pings(engine: AsyncEngine) -> list[str]:
    """Every ``;`` (the ping's query) the pool's connections send, seen by asyncpg itself."""
    seen: list[str] = []

    @sa.event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi: Any, _record: object) -> None:
        dbapi._connection.add_query_logger(
            lambda record: seen.append(record.query) if record.query == ";" else None
        )

    return seen


async def _pid(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one())


async def test_a_hot_pool_never_pings(stack: Stack) -> None:
    engine = make_engine(stack.settings.database_url or "", pool_size=1, ping_idle_s=30)
    pings = _count_pings(engine)
    try:
        pids = {await _pid(engine) for _ in range(5)}
        assert len(pids) == 1  # the same pooled connection, reused
        assert pings == []
    finally:
        await engine.dispose()


async def test_a_connection_idle_longer_than_the_setting_is_pinged_once(stack: Stack) -> None:
    engine = make_engine(stack.settings.database_url or "", pool_size=1, ping_idle_s=0.05)
    pings = _count_pings(engine)
    try:
        first = await _pid(engine)
        await asyncio.sleep(0.2)
        assert await _pid(engine) == first
        assert pings == [";"]
    finally:
        await engine.dispose()


async def test_a_connection_killed_while_idle_is_replaced(stack: Stack) -> None:
    engine = make_engine(stack.settings.database_url or "", pool_size=1, ping_idle_s=0.05)
    admin = make_engine(stack.settings.database_url or "", pool_size=1)
    try:
        first = await _pid(engine)
        async with admin.connect() as conn:
            await conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": first})
        await asyncio.sleep(0.2)
        second = await _pid(engine)  # no error: the dead connection was pinged and replaced
        assert second != first
    finally:
        await engine.dispose()
        await admin.dispose()
