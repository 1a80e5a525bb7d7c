"""Migration 0005 makes labels unique per owner without losing a key: older duplicates are
renamed "Label (2)", "Label (3)", ... (the oldest keeps its label)."""

from __future__ import annotations

import asyncio
import uuid

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support import Stack, UserClient
from workspace.schema.migrate import alembic_config


async def test_upgrade_renumbers_duplicate_labels(alice: UserClient, stack: Stack) -> None:
    url = stack.settings.database_url or ""
    ws = await alice.create_workspace()
    for n in range(2):
        resp = await alice.post(
            f"/api/workspaces/{ws}/credentials",
            json={"provider": "openai", "secret": f"sk-mig-{n}", "label": f"L{n}"},
        )
        assert resp.status_code == 201, resp.text
    cfg = alembic_config(url)
    await asyncio.to_thread(command.downgrade, cfg, "0004_message_display")
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            # Before 0005 nothing stopped two keys of one workspace sharing a label.
            await conn.execute(
                text("UPDATE credentials SET label = 'Team' WHERE workspace_id = :ws"),
                {"ws": uuid.UUID(ws)},
            )
        await asyncio.to_thread(command.upgrade, cfg, "head")
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT label FROM credentials WHERE workspace_id = :ws ORDER BY created_at, id"
                ),
                {"ws": uuid.UUID(ws)},
            )
            labels = [r.label for r in rows]
    finally:
        await asyncio.to_thread(command.upgrade, cfg, "head")
        await engine.dispose()
    assert labels == ["Team", "Team (2)"]
    clash = await alice.post(
        f"/api/workspaces/{ws}/credentials",
        json={"provider": "openai", "secret": "sk-mig-9", "label": "Team (2)"},
    )
    assert clash.status_code == 409
