"""The async engine and its sessions (SQLModel on asyncpg)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession


def make_engine(url: str, *, pool_size: int = 10, statement_cache: bool = True) -> AsyncEngine:
    """The pool; ``statement_cache=False`` for PgBouncer in transaction mode, where a prepared
    statement may land on another server connection: nothing is cached and every statement
    gets a unique name."""
    connect_args: dict[str, object] = {}
    if not statement_cache:
        connect_args = {
            "statement_cache_size": 0,
            "prepared_statement_cache_size": 0,
            "prepared_statement_name_func": lambda: f"__asyncpg_{uuid.uuid4()}__",
        }
    return create_async_engine(
        url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True, connect_args=connect_args
    )


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
