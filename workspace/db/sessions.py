"""The async engine and its sessions (SQLModel on asyncpg)."""

from __future__ import annotations

import functools
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, SessionTransaction
from sqlmodel.ext.asyncio.session import AsyncSession

_IDLE_SINCE = "switchboard_idle_since"
_ON_CONNECTION = "switchboard_on_connection"


@event.listens_for(Session, "after_begin")
def _connected(session: Session, _transaction: SessionTransaction, _connection: Any) -> None:
    session.info[_ON_CONNECTION] = True


@event.listens_for(Session, "after_transaction_end")
def _released(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_ON_CONNECTION, None)


def has_begun(session: AsyncSession) -> bool:
    """The session's unit of work has begun on the database: it holds a connection (it ran a
    statement, or asked for its connection), or has changes to flush. A session merely told
    about an object (``add``) has not."""
    return bool(session.info.get(_ON_CONNECTION) or session.new or session.dirty or session.deleted)


def make_engine(
    url: str,
    *,
    pool_size: int = 25,
    max_overflow: int = 5,
    statement_cache: bool = True,
    ping_idle_s: float = 30.0,
) -> AsyncEngine:
    """The pool; ``statement_cache=False`` for PgBouncer in transaction mode, where a prepared
    statement may land on another server connection: nothing is cached and every statement
    gets a unique name.

    No ``pool_pre_ping``: a connection is pinged on checkout only when it sat in the pool for
    more than ``ping_idle_s`` (see :func:`ping_when_idle`), so a busy pool never pings."""
    connect_args: dict[str, object] = {}
    if not statement_cache:
        connect_args = {
            "statement_cache_size": 0,
            "prepared_statement_cache_size": 0,
            "prepared_statement_name_func": lambda: f"__asyncpg_{uuid.uuid4()}__",
        }
    engine = create_async_engine(
        url, pool_size=pool_size, max_overflow=max_overflow, connect_args=connect_args
    )
    ping_when_idle(engine, ping_idle_s)
    return engine


def ping_when_idle(engine: AsyncEngine, idle_s: float) -> None:
    """Ping a connection on checkout only if it was idle longer than ``idle_s``; a dead one is
    then replaced (the pool retries with a fresh connection), as ``pool_pre_ping`` would do on
    every checkout. A connection that failed mid-use is invalidated by SQLAlchemy anyway."""

    @event.listens_for(engine.sync_engine, "checkin")
    def _idle_from(_dbapi: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _ping(dbapi: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop(_IDLE_SINCE, None)
        if since is None or time.monotonic() - since <= idle_s:
            return  # new, or used a moment ago
        try:
            dbapi.ping()
        except Exception as error:
            raise exc.DisconnectionError("idle connection is gone") from error


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def own_transaction(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """A transaction of its own on ``session``'s engine, committed when the block ends.

    For bookkeeping that must last whatever becomes of the request's unit of work: a failed
    sign-in's counters (the request fails, the count must stay), an API token's last use.
    """
    async with AsyncSession(session.bind, expire_on_commit=False) as own:
        yield own
        await own.commit()


@asynccontextmanager
async def reading(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """Where a request reads before it writes: an autocommitted session of its own on the same
    engine, so the request's first statement can be its one write, atomic alone (no ``BEGIN``,
    no ``COMMIT``: see :func:`workspace.db.writes.write_in_unit`). Once the request's unit of
    work has begun, its own session: its reads then see its writes. (Under READ COMMITTED each
    statement reads its own snapshot either way.) The rows read are detached when the block
    ends; ``session.add`` one to change it in the request."""
    if has_begun(session):
        yield session
        return
    bind = session.bind
    assert isinstance(bind, AsyncEngine)
    async with AsyncSession(_autocommitted(bind), expire_on_commit=False) as reader:
        yield reader  # takes a pooled connection only if it runs a statement


def is_autocommitted(session: AsyncSession) -> bool:
    """The session is one of :func:`reading`'s: each of its statements commits alone."""
    bind = session.bind
    options = bind.get_execution_options() if isinstance(bind, AsyncEngine) else {}
    return options.get("isolation_level") == "AUTOCOMMIT"


@functools.lru_cache(maxsize=8)
def _autocommitted(engine: AsyncEngine) -> AsyncEngine:
    """``engine`` whose connections autocommit (same pool), made once per engine."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")
