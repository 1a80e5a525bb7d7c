"""The schema comes from the migrations, and the models agree with them."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support import Stack
from workspace.schema.migrate import pending_revisions
from workspace.schema.tables import include_object, metadata


async def test_models_and_migrations_agree(stack: Stack) -> None:
    engine = create_async_engine(stack.settings.database_url or "")
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(
                    sync, opts={"compare_type": True, "include_object": include_object}
                ),
                metadata,
            )
        )
    await engine.dispose()
    assert diff == [], f"models differ from migrations: {diff}"


async def test_database_is_at_head(stack: Stack) -> None:
    current, head = await pending_revisions(stack.settings.database_url or "")
    assert current == head is not None
