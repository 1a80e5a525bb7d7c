"""The async engine and its sessions (SQLModel on asyncpg)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    return create_async_engine(url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True)


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
