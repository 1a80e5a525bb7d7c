"""Autocommitted statements sent straight to the asyncpg connection, for the message path.

Why: for one short statement, SQLAlchemy's execution (the async bridge's greenlet switches, the
compiled-cache lookup, parameter and result wrapping, the ORM's loading context) costs more CPU
than the round trip itself. Measured against the bench's PostgreSQL, 1,000 runs of the
conversation-access SELECT: through the ORM 0.74 ms CPU each, the same SQL on the driver 0.31 ms
(pool checkout included). A chat message runs three such statements, all on its latency path.

What stays SQLAlchemy's: the statement is built with SQLAlchemy and compiled by its asyncpg
dialect once per statement object (the hot path's statements are built once per shape, see
:mod:`workspace.db.writes`), with the dialect's own bind and result processors; the connection
comes from the engine's pool through the session. Only *execution* is the driver's.

Only outside a transaction: SQLAlchemy's asyncpg adapter sends ``BEGIN`` lazily, with its first
statement, so a statement sent behind its back in a transaction could run outside it. The
session's connection is asked for in ``AUTOCOMMIT`` and checked. A connection the driver
reports broken (anything but a SQL error from the server) is invalidated, so the pool never hands
it out again; the error itself reaches the caller as the driver raised it, which the HTTP layer
already answers 503 (:mod:`workspace.errors.database`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.db.sessions import has_begun

Processor = Callable[[Any], Any] | None


_REQUIRED: Any = object()


@dataclass(frozen=True)
class Bind:
    """One positional parameter: its bind name, its value's conversion, and its literal value
    (the statement's own, used when the parameters do not name it) or ``_REQUIRED``."""

    name: str
    processor: Processor
    literal: Any


@dataclass(frozen=True)
class Compiled:
    """A statement's SQL for the driver, and how its parameters and result columns convert."""

    sql: str
    binds: tuple[Bind, ...]
    columns: tuple[tuple[str, Processor], ...]

    def args(self, params: Mapping[str, Any]) -> list[Any]:
        """The positional arguments: ``params`` by bind name, literals filled in, processed.
        (What SQLAlchemy's ``construct_params`` does for these binds, without walking every
        bind of the statement per call.)"""
        args = []
        for bind in self.binds:
            value = params.get(bind.name, bind.literal)
            if value is _REQUIRED:
                raise KeyError(f"no value for the bind parameter {bind.name!r}")
            args.append(value if bind.processor is None else bind.processor(value))
        return args

    def row(self, record: asyncpg.Record) -> dict[str, Any]:
        """A result row as column name -> value, processed as SQLAlchemy would."""
        return {
            n: record[i] if p is None else p(record[i]) for i, (n, p) in enumerate(self.columns)
        }


@functools.cache
def compiled(statement: sa.Executable, dialect: Dialect) -> Compiled:
    """``statement`` compiled for the driver, once per statement object (and dialect). Binds
    SQLAlchemy expands or computes per execution (``IN`` lists, callables) are refused."""
    done = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
    names: Sequence[str] = done.positiontup or ()
    binds = tuple(_bind(done.binds[name], name, dialect) for name in names)
    columns: tuple[tuple[str, Processor], ...] = ()
    if isinstance(statement, sa.Select):
        columns = tuple(
            (str(c.key), _result_processor(c.type, dialect)) for c in statement.selected_columns
        )
    return Compiled(str(done), binds, columns)


def _bind(bind: sa.BindParameter[Any], name: str, dialect: Dialect) -> Bind:
    if bind.expanding or bind.callable is not None:
        raise TypeError(f"the bind {name!r} is computed per execution: run it through SQLAlchemy")
    processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
    return Bind(name, processor, _REQUIRED if bind.required else bind.value)


def _result_processor(type_: sa.types.TypeEngine[Any], dialect: Dialect) -> Processor:
    """How SQLAlchemy converts a column's value. A numeric one's conversion depends on the
    result's PostgreSQL type code, which only a real result carries: refused, not guessed."""
    impl = type_.dialect_impl(dialect)
    if isinstance(impl, sa.Numeric):
        raise TypeError("numeric columns are read through SQLAlchemy, not the driver")
    return impl.result_processor(dialect, None)


async def _autocommitted(session: AsyncSession) -> tuple[AsyncConnection, asyncpg.Connection]:
    """The session's connection, in autocommit, and the driver's connection under it."""
    if has_begun(session):  # its connection is set (and checked below)
        connection = await session.connection()
    else:
        connection = await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    raw = await connection.get_raw_connection()
    adapted: Any = raw.dbapi_connection
    if adapted is None or not adapted.autocommit:
        raise RuntimeError("the driver runs statements only on an autocommitted connection")
    return connection, raw.driver_connection


async def fetch(
    session: AsyncSession, statement: sa.Executable, params: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """``statement``'s rows (column name -> value), run alone and autocommitted."""
    connection, driver = await _autocommitted(session)
    done = compiled(statement, connection.dialect)
    args = done.args(params)
    _announce(connection, done.sql, args)
    try:
        records = await driver.fetch(done.sql, *args)
    except BaseException as exc:
        await _invalidate_if_broken(connection, exc)
        raise
    return [done.row(r) for r in records]


async def execute(
    session: AsyncSession, statement: sa.Executable, params: Mapping[str, Any]
) -> None:
    """Run ``statement`` alone, autocommitted (one round trip, no ``BEGIN``/``COMMIT``)."""
    connection, driver = await _autocommitted(session)
    done = compiled(statement, connection.dialect)
    args = done.args(params)
    _announce(connection, done.sql, args)
    try:
        await driver.execute(done.sql, *args)
    except BaseException as exc:
        await _invalidate_if_broken(connection, exc)
        raise


def _announce(connection: AsyncConnection, sql: str, args: Sequence[Any]) -> None:
    """The engine's ``before_cursor_execute`` event, as SQLAlchemy's own execution fires it, so
    what listens to the engine (statement counts, tracing) still sees every statement."""
    sync = connection.sync_connection
    if sync is not None:
        sync.dispatch.before_cursor_execute(sync, None, sql, tuple(args), None, False)


async def _invalidate_if_broken(connection: AsyncConnection, exc: BaseException) -> None:
    """A SQL error leaves the connection fine (nothing was begun); anything else (a dropped
    socket, a cancelled query whose cancellation is still in flight) may not: drop it."""
    if isinstance(exc, asyncpg.PostgresError) and not connection.closed:
        return
    await connection.invalidate()
