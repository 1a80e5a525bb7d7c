"""Statements run by the driver itself (workspace.db.driver) read and write what SQLAlchemy
would, only outside a transaction, and never hand a broken connection back to the pool."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.support import Stack
from workspace.db import driver
from workspace.db.sessions import make_engine

METADATA = sa.MetaData()
# A temporary table lives on its connection: every test here runs on a pool of one.
SCRATCH = sa.Table(
    "driver_scratch",
    METADATA,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("body", sa.JSON),
    sa.Column("at", sa.DateTime(timezone=True)),
    sa.Column("note", sa.String, nullable=True),
    prefixes=["TEMPORARY"],
)
INSERT = sa.insert(SCRATCH).values(
    id=sa.bindparam("id", type_=sa.Uuid),
    body=sa.bindparam("body", type_=sa.JSON),
    at=sa.bindparam("at", type_=sa.DateTime(timezone=True)),
    note=sa.bindparam("note", type_=sa.String),
)
SELECT = sa.select(SCRATCH).where(SCRATCH.c.id == sa.bindparam("id", type_=sa.Uuid))


@pytest.fixture
async def engine(stack: Stack) -> AsyncIterator[AsyncEngine]:
    made = make_engine(stack.settings.database_url or "", pool_size=1, max_overflow=0)
    autocommitted = made.execution_options(isolation_level="AUTOCOMMIT")
    async with autocommitted.connect() as conn:
        await conn.run_sync(METADATA.create_all)
    yield autocommitted
    await made.dispose()


def _row() -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "body": {"text": "héllo\nworld", "n": [1, 2]},
        "at": datetime(2026, 12, 3, 18, 30, tzinfo=UTC),
        "note": None,
    }


async def test_a_row_reads_back_as_sqlalchemy_reads_it(engine: AsyncEngine) -> None:
    row = _row()
    async with AsyncSession(engine) as session:
        await driver.execute(session, INSERT, row)
    async with AsyncSession(engine) as session:
        by_driver = await driver.fetch(session, SELECT, {"id": row["id"]})
    async with engine.connect() as conn:
        by_sqlalchemy = (await conn.execute(SELECT, {"id": row["id"]})).mappings().one()
    assert by_driver == [dict(by_sqlalchemy)] == [row]


async def test_every_statement_is_announced_to_the_engine(engine: AsyncEngine) -> None:
    """Listeners of the engine (statement counts, tracing) see the driver's statements too."""
    seen: list[str] = []

    def executed(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement.split(None, 1)[0])

    event.listen(engine.sync_engine, "before_cursor_execute", executed)
    try:
        async with AsyncSession(engine) as session:
            await driver.execute(session, INSERT, _row())
            await driver.fetch(session, SELECT, {"id": uuid.uuid4()})
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", executed)
    assert seen == ["INSERT", "SELECT"]


async def test_not_inside_a_transaction(stack: Stack) -> None:
    """SQLAlchemy begins its transactions lazily: a statement sent behind its back inside one
    could land outside it, so the driver refuses a session whose unit of work has begun."""
    transactional = make_engine(stack.settings.database_url or "", pool_size=1)
    try:
        async with AsyncSession(transactional) as session:
            await session.execute(sa.text("SELECT 1"))
            with pytest.raises(RuntimeError, match="autocommitted"):
                await driver.fetch(session, sa.select(sa.literal(1).label("one")), {})
    finally:
        await transactional.dispose()


async def test_a_broken_connection_is_not_pooled_again(engine: AsyncEngine) -> None:
    """The server ends the connection (a restart, a failover): that statement fails, and the
    next one gets a new connection instead of the dead one back from the pool."""
    pid_query = sa.select(sa.func.pg_backend_pid().label("pid"))
    async with AsyncSession(engine) as session:
        pid = (await driver.fetch(session, pid_query, {}))[0]["pid"]
    # pg_terminate_backend from a connection of its own, outside the pool of one.
    killer = make_engine(engine.url.render_as_string(hide_password=False), pool_size=1)
    try:
        async with killer.connect() as conn:
            await conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await killer.dispose()
    with pytest.raises(Exception):  # noqa: B017 - the driver's own error, whichever it is
        async with AsyncSession(engine) as session:
            await driver.fetch(session, pid_query, {})
    async with AsyncSession(engine) as session:
        again = (await driver.fetch(session, pid_query, {}))[0]["pid"]
    assert again != pid


def test_numeric_columns_are_refused_not_guessed() -> None:
    """Their conversion depends on a type code only a real result carries."""
    from sqlalchemy.dialects.postgresql.asyncpg import dialect

    with pytest.raises(TypeError, match="numeric"):
        driver.compiled(sa.select(sa.literal(1.5, sa.Numeric).label("n")), dialect())


async def test_a_statements_own_literals_are_sent_with_the_parameters(engine: AsyncEngine) -> None:
    row = _row()
    async with AsyncSession(engine) as session:
        await driver.execute(session, INSERT, {**row, "note": "kept"})
        kept = SELECT.where(SCRATCH.c.note == "kept")  # a literal, bound by SQLAlchemy
        assert [r["id"] for r in await driver.fetch(session, kept, {"id": row["id"]})] == [
            row["id"]
        ]
        with pytest.raises(KeyError, match="'id'"):
            await driver.fetch(session, kept, {})


def test_binds_computed_per_execution_are_refused() -> None:
    """An IN list is expanded by SQLAlchemy for each execution: not the driver's to send."""
    from sqlalchemy.dialects.postgresql.asyncpg import dialect

    listed = sa.select(SCRATCH.c.id).where(SCRATCH.c.id.in_(sa.bindparam("ids", expanding=True)))
    with pytest.raises(TypeError, match="per execution"):
        driver.compiled(listed, dialect())


async def test_with_the_statement_cache_off_the_driver_leaves_no_prepared_statement(
    stack: Stack,
) -> None:
    """PgBouncer in transaction mode (SWITCHBOARD_DATABASE_STATEMENT_CACHE=false): the driver's
    own statements are unnamed too, so no server connection keeps one behind."""
    made = make_engine(stack.settings.database_url or "", pool_size=1, statement_cache=False)
    autocommitted = made.execution_options(isolation_level="AUTOCOMMIT")
    left = sa.select(sa.func.count().label("n")).select_from(sa.text("pg_prepared_statements"))
    try:
        async with autocommitted.connect() as conn:
            await conn.run_sync(METADATA.create_all)
        async with AsyncSession(autocommitted) as session:
            await driver.execute(session, INSERT, _row())
            await driver.fetch(session, SELECT, {"id": uuid.uuid4()})
            assert (await driver.fetch(session, left, {}))[0]["n"] == 0
    finally:
        await made.dispose()
