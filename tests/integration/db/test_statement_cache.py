"""SWITCHBOARD_DATABASE_STATEMENT_CACHE=false, for PgBouncer in transaction mode: a server
connection then keeps no prepared statement behind, so the next client PgBouncer hands it to
cannot trip over one ("prepared statement ... already exists" / "does not exist")."""

from __future__ import annotations

import sqlalchemy as sa

from tests.support import Stack
from workspace.db.sessions import make_engine

QUERY = sa.text("SELECT count(*) FROM pg_class WHERE relname = :name")
# The counting query is itself a prepared statement while it runs: it does not count itself.
LEFT_BEHIND = sa.text("SELECT count(*) FROM pg_prepared_statements WHERE statement NOT LIKE :me")


async def _statements_left(stack: Stack, *, statement_cache: bool) -> int:
    engine = make_engine(
        stack.settings.database_url or "", pool_size=1, statement_cache=statement_cache
    )
    try:
        async with engine.connect() as conn:
            for name in ("users", "workspaces", "users"):
                await conn.execute(QUERY, {"name": name})
            return int(
                (await conn.execute(LEFT_BEHIND, {"me": "%pg_prepared_statements%"})).scalar_one()
            )
    finally:
        await engine.dispose()


async def test_with_the_cache_off_no_prepared_statement_stays_on_the_connection(
    stack: Stack,
) -> None:
    assert await _statements_left(stack, statement_cache=False) == 0


async def test_with_the_cache_on_statements_are_kept_for_reuse(stack: Stack) -> None:
    assert await _statements_left(stack, statement_cache=True) > 0
