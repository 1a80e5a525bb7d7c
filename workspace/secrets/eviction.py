"""Secret-cache eviction that reaches every replica: PostgreSQL LISTEN/NOTIFY.

A rotate or delete calls :func:`announce` in its transaction; PostgreSQL delivers the notice on
commit to every app process, each of which drops that path from its own cache. The local cache is
evicted directly too, so the writing process never depends on the round trip.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.secrets.vault import SecretStore

log = logging.getLogger(__name__)
CHANNEL = "switchboard_secret_evict"


async def announce(session: AsyncSession, secrets: SecretStore, path: str) -> None:
    secrets.evict(path)
    await session.execute(sa.text("SELECT pg_notify(:c, :p)"), {"c": CHANNEL, "p": path})


@asynccontextmanager
async def listening(engine: AsyncEngine, secrets: SecretStore) -> AsyncIterator[None]:
    """Hold one connection that LISTENs for evictions for as long as the app runs."""

    def on_notice(_conn: Any, _pid: int, _channel: str, payload: str) -> None:
        secrets.evict(payload)

    async with engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        assert raw is not None
        await raw.add_listener(CHANNEL, on_notice)
        try:
            yield
        finally:
            try:
                await raw.remove_listener(CHANNEL, on_notice)
            except Exception:  # the connection may already be gone at shutdown
                log.debug("eviction listener already closed")
