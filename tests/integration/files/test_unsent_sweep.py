"""Uploads never attached to a message are deleted after
``SWITCHBOARD_UNATTACHED_UPLOAD_MAX_AGE_HOURS``; sent ones stay."""

from __future__ import annotations

import sqlalchemy as sa

from tests.integration.chat.conftest import chat_workspace, new_conversation, stream
from tests.integration.files.conftest import uploaded
from tests.support import UserClient
from tests.unit.files import samples
from workspace.chat.recovery import sweep_uploads
from workspace.runtime import Runtime


async def _ids(runtime: Runtime, ids: list[str]) -> set[str]:
    async with runtime.engine.connect() as conn:
        rows = await conn.execute(
            sa.text("SELECT id::text FROM attachments WHERE id::text = ANY(:ids)"), {"ids": ids}
        )
        return {r[0] for r in rows}


async def _age(runtime: Runtime, ids: list[str], hours: float) -> None:
    async with runtime.engine.begin() as conn:
        await conn.execute(
            sa.text(
                "UPDATE attachments SET created_at = now() - make_interval(secs => :s)"
                " WHERE id::text = ANY(:ids)"
            ),
            {"s": hours * 3600, "ids": ids},
        )


async def test_old_unsent_uploads_are_swept_and_sent_or_recent_ones_stay(
    alice: UserClient, runtime: Runtime
) -> None:
    ws = await chat_workspace(alice)
    sent = (await uploaded(alice, ws, "sent.png", samples.png()))["id"]
    old = (await uploaded(alice, ws, "forgotten.png", samples.png()))["id"]
    recent = (await uploaded(alice, ws, "just-now.png", samples.png()))["id"]
    conversation = await new_conversation(alice, ws)
    body = {"content": "look", "model": "openai/gpt-4o", "attachment_ids": [sent]}
    await stream(alice, f"/api/conversations/{conversation}/messages", body)
    max_age = runtime.settings.unattached_upload_max_age_hours
    await _age(runtime, [sent, old], max_age + 1)

    assert await sweep_uploads(runtime) >= 1

    assert await _ids(runtime, [sent, old, recent]) == {sent, recent}
