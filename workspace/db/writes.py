"""Several writes as one statement: one round trip, atomic without a transaction bracket.

PostgreSQL runs every data-modifying statement in a ``WITH`` clause exactly once and to
completion, whether or not the main statement reads it, all against the same snapshot. So writes
to *different* rows (an insert here, a delete there, an update of a third table) can travel as one
statement; one statement is atomic on its own, so it needs no ``BEGIN``/``COMMIT`` either
(:func:`write_at_once`): the hot path after a stream costs one round trip instead of four.

Not for two writes to the same row (their order inside one statement is undefined), and not for
writes that must see each other's effects.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

Write = sa.Insert | sa.Update | sa.Delete


def as_one(writes: Sequence[Write]) -> Write:
    """``writes`` as one statement: all but the last become ``WITH`` clauses of the last."""
    if not writes:
        raise ValueError("nothing to write")
    *before, last = writes
    if not before:
        return last
    return last.add_cte(*(w.cte(f"write_{i}") for i, w in enumerate(before)))


async def write_at_once(session: AsyncSession, writes: Sequence[Write]) -> None:
    """Execute ``writes`` as one autocommitted statement on a session that has not begun a
    transaction (so it sends neither ``BEGIN`` nor ``COMMIT``)."""
    if session.in_transaction():
        raise RuntimeError("write_at_once needs a session outside any transaction")
    await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    await session.execute(as_one(writes))
