"""The writes on a message's path: built once, sent together, one round trip.

Two costs are avoided here. *Building*: a statement written as ``insert(t).values(**row)`` is a new
object every call, so SQLAlchemy derives its cache key and walks its values each time; the
statements below are built once per shape with bind parameters (:func:`row_insert`,
:func:`row_update`) and executed with the row's values, so only the parameters change. *Round
trips*: PostgreSQL runs every data-modifying statement in a ``WITH`` clause exactly once and to
completion, whether or not the main statement reads it, all against the same snapshot, so writes
to *different* rows travel as one statement (:func:`as_one`); one statement is atomic on its own,
so it needs no ``BEGIN``/``COMMIT`` either (:func:`write_at_once`, sent by the driver itself:
:mod:`workspace.db.driver`).

Not for two writes to the same row (their order inside one statement is undefined), and not for
writes that must see each other's effects.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from pydantic_core import PydanticUndefined
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.db import driver
from workspace.db.sessions import has_begun

Statement = sa.Insert | sa.Update | sa.Delete


@dataclass(frozen=True)
class Write:
    """A statement and its parameters (named uniquely by the builders' prefixes)."""

    statement: Statement
    params: Mapping[str, Any] = field(default_factory=dict)


def table_of(model: type[SQLModel]) -> sa.Table:
    table: sa.Table = model.__table__  # type: ignore[attr-defined]
    return table


def _bound(table: sa.Table, prefix: str, names: Sequence[str]) -> dict[str, sa.BindParameter[Any]]:
    return {n: sa.bindparam(f"{prefix}{n}", type_=table.c[n].type) for n in names}


@functools.cache
def _insert(table: sa.Table, prefix: str, names: tuple[str, ...]) -> sa.Insert:
    return sa.insert(table).values(_bound(table, prefix, names))


@functools.cache
def _update(table: sa.Table, prefix: str, key: str, names: tuple[str, ...]) -> sa.Update:
    where = table.c[key] == sa.bindparam(f"{prefix}where_{key}", type_=table.c[key].type)
    return sa.update(table).where(where).values(_bound(table, prefix, names))


@functools.cache
def _defaults(model: type[SQLModel]) -> tuple[dict[str, Any], dict[str, Callable[[], Any]]]:
    static: dict[str, Any] = {}
    factories: dict[str, Callable[[], Any]] = {}
    for name, info in model.model_fields.items():
        if info.default_factory is not None:
            factories[name] = info.default_factory  # type: ignore[assignment]
        elif info.default is not PydanticUndefined:
            static[name] = info.default
    return static, factories


def new_row(model: type[SQLModel], /, **values: Any) -> dict[str, Any]:
    """A new row of ``model`` as column values, its defaults filled in, without building an
    ORM instance (on a message's path that costs more than the INSERT's own work)."""
    static, factories = _defaults(model)
    row = {**static, **values}
    for name, make in factories.items():
        if name not in row:
            row[name] = make()
    return row


def _named(prefix: str, row: Mapping[str, Any]) -> dict[str, Any]:
    return {f"{prefix}{k}": v for k, v in row.items()}


def row_insert(model: type[SQLModel], row: Mapping[str, Any], prefix: str) -> Write:
    """INSERT of ``row`` (column -> value) into ``model``'s table."""
    table = table_of(model)
    statement = _insert(table, prefix, tuple(c.key for c in table.c if c.key in row))
    return Write(statement, _named(prefix, row))


def row_update(
    model: type[SQLModel], key: str, value: Any, row: Mapping[str, Any], prefix: str
) -> Write:
    """UPDATE of ``row``'s columns where the column ``key`` equals ``value``."""
    statement = _update(table_of(model), prefix, key, tuple(row))
    return Write(statement, {**_named(prefix, row), f"{prefix}where_{key}": value})


@functools.cache
def _delete(table: sa.Table, prefix: str, key: str) -> sa.Delete:
    where = table.c[key] == sa.bindparam(f"{prefix}where_{key}", type_=table.c[key].type)
    return sa.delete(table).where(where)


def row_delete(model: type[SQLModel], key: str, value: Any, prefix: str) -> Write:
    """DELETE of the rows whose column ``key`` equals ``value``."""
    return Write(_delete(table_of(model), prefix, key), {f"{prefix}where_{key}": value})


@functools.cache
def _combined(statements: tuple[Statement, ...]) -> Statement:
    *before, last = statements
    return last.add_cte(*(s.cte(f"write_{i}") for i, s in enumerate(before)))


def as_one(writes: Sequence[Write]) -> Write:
    """``writes`` as one statement: all but the last become ``WITH`` clauses of the last (the
    combination is built once per shape, like its parts)."""
    if not writes:
        raise ValueError("nothing to write")
    if len(writes) == 1:
        return writes[0]
    params: dict[str, Any] = {}
    for w in writes:
        params.update(w.params)
    return Write(_combined(tuple(w.statement for w in writes)), params)


async def execute(session: AsyncSession, write: Write) -> None:
    """Run ``write`` on the session's connection (a Core statement needs no ORM machinery),
    after the session's pending changes, as the session's own ``execute`` would (autoflush)."""
    await session.flush()
    connection = await session.connection()
    await connection.execute(write.statement, dict(write.params))


async def write_at_once(session: AsyncSession, writes: Sequence[Write]) -> None:
    """Execute ``writes`` as one autocommitted statement on a session that has not begun a
    transaction (so it sends neither ``BEGIN`` nor ``COMMIT``)."""
    if has_begun(session):
        raise RuntimeError("write_at_once needs a session outside any transaction")
    combined = as_one(writes)
    await driver.execute(session, combined.statement, combined.params)


async def write_in_unit(session: AsyncSession, writes: Sequence[Write]) -> None:
    """``writes`` as one statement of the session's unit of work: in its transaction when it
    has one or holds unflushed changes (what came before commits with them, or nothing does),
    else autocommitted alone, with neither ``BEGIN`` nor ``COMMIT`` (see :func:`write_at_once`).
    The session's later statements then autocommit too: for a request's last write."""
    if has_begun(session):
        await execute(session, as_one(writes))
    else:
        await write_at_once(session, writes)
