"""Secret-cache eviction that reaches every replica: PostgreSQL LISTEN/NOTIFY.

A rotate or delete calls :func:`announce` in its transaction; PostgreSQL delivers the notice on
commit to every app process, each of which drops that path from its own cache. The local cache is
evicted directly too, so the writing process never depends on the round trip.

Each process holds one LISTEN connection of its own (:class:`EvictionListener`), outside the
pool. A LISTEN connection can die without a word (``pg_terminate_backend``, a failover, a network
cut), and notices sent while nobody listens are lost. So the listener notices the loss (asyncpg's
termination callback, and a query every ``eviction_check_interval_s`` for silent cuts), logs it,
and reconnects with a doubling backoff; while it is away the process reads secrets from Vault
without its cache, and on every (re)connect the cache is emptied. ``/readyz`` reports its state.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.secrets.vault import SecretStore

log = logging.getLogger(__name__)
CHANNEL = "switchboard_secret_evict"
APPLICATION_NAME = "switchboard-evict"
BACKOFF_START_S = 0.1
# Connect arguments SQLAlchemy's asyncpg dialect understands but asyncpg.connect does not.
_DIALECT_ONLY = ("prepared_statement_cache_size", "prepared_statement_name_func")


async def announce(session: AsyncSession, secrets: SecretStore, path: str) -> None:
    secrets.evict(path)
    await session.execute(sa.text("SELECT pg_notify(:c, :p)"), {"c": CHANNEL, "p": path})


def connect_kwargs(database_url: str) -> dict[str, Any]:
    """asyncpg.connect arguments for a SQLAlchemy ``postgresql+asyncpg://`` URL."""
    engine = create_async_engine(database_url)
    _args, kwargs = engine.dialect.create_connect_args(engine.url)
    for key in _DIALECT_ONLY:
        kwargs.pop(key, None)
    return dict(kwargs)


class EvictionListener:
    """One process's LISTEN connection, kept alive for as long as :meth:`run` runs."""

    def __init__(
        self,
        database_url: str,
        secrets: SecretStore,
        *,
        check_interval_s: float = 5.0,
        reconnect_max_s: float = 5.0,
    ) -> None:
        self._connect = connect_kwargs(database_url)
        self._secrets = secrets
        self._check_interval_s = check_interval_s
        self._reconnect_max_s = reconnect_max_s
        self.connected = False
        self.reconnects = 0
        self._established = False
        # Until the first LISTEN is in place, nothing cached can be trusted.
        secrets.trust_cache(False)

    @property
    def state(self) -> str:
        """``ok`` when listening, ``reconnecting`` while the connection is being re-made."""
        return "ok" if self.connected else "reconnecting"

    def _on_notice(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        self._secrets.evict(payload)

    async def run(self) -> None:
        """Listen, and reconnect with backoff whenever the connection is lost; until cancelled."""
        delay = BACKOFF_START_S
        while True:
            self._established = False
            try:
                await self._listen_once()
            except Exception as exc:  # any failure means: reconnect
                reason = type(exc).__name__
            else:
                reason = "connection closed"
            self.connected = False
            self._secrets.trust_cache(False)
            if self._established:  # it was up: the next loss starts the backoff afresh
                delay = BACKOFF_START_S
            log.warning(
                "secret eviction listener has no PostgreSQL connection (%s); retrying in %.1f s",
                reason,
                delay,
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._reconnect_max_s)
            self.reconnects += 1

    async def _listen_once(self) -> None:
        """Connect, LISTEN, and return when the connection is found dead."""
        conn: asyncpg.Connection = await asyncio.wait_for(
            asyncpg.connect(
                **self._connect, server_settings={"application_name": APPLICATION_NAME}
            ),
            timeout=self._check_interval_s + 5,
        )
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _conn: lost.set())
        try:
            await conn.add_listener(CHANNEL, self._on_notice)
            # Notices sent while nobody listened are lost: drop everything cached before.
            self._secrets.evict_all()
            self._secrets.trust_cache(True)
            self.connected = self._established = True
            if self.reconnects:
                log.warning("secret eviction listener reconnected; secret cache cleared")
            await self._watch(conn, lost)
        finally:
            self.connected = False
            self._secrets.trust_cache(False)
            with suppress(Exception):  # already gone, most likely
                await asyncio.wait_for(conn.close(), timeout=2)
            conn.terminate()

    async def _watch(self, conn: asyncpg.Connection, lost: asyncio.Event) -> None:
        """Return once the connection is lost; a query per interval catches silent cuts."""
        while not lost.is_set():
            with suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), timeout=self._check_interval_s)
                return
            await asyncio.wait_for(conn.fetchval("SELECT 1"), timeout=self._check_interval_s)


@asynccontextmanager
async def listening(
    database_url: str,
    secrets: SecretStore,
    *,
    check_interval_s: float = 5.0,
    reconnect_max_s: float = 5.0,
) -> AsyncIterator[EvictionListener]:
    """Keep an :class:`EvictionListener` running for as long as the block (the app) runs."""
    listener = EvictionListener(
        database_url, secrets, check_interval_s=check_interval_s, reconnect_max_s=reconnect_max_s
    )
    task = asyncio.create_task(listener.run(), name="secret-eviction-listener")
    try:
        yield listener
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
