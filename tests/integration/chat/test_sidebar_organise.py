"""The sidebar as the server renders it: the caller's own pins first, date groups by last
activity, archived conversations left out, and a "More" page that repeats no heading."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.integration.chat.conftest import new_conversation
from tests.support import Stack, UserClient

HEADING = re.compile(r'<h3 class="nav-group-heading"[^>]*>([^<]+)</h3>')
ROW = re.compile(r'data-conversation-row="([0-9a-f-]{36})"')


async def _sidebar(user: UserClient, ws: str, offset: int = 0) -> str:
    resp = await user.get(f"/w/{ws}/sidebar/conversations", params={"offset": offset})
    assert resp.status_code == 200, resp.text
    return str(resp.text)


async def _age(stack: Stack, conversation: str, days: int) -> None:
    """Make a conversation's last activity ``days`` old (the clock cannot be moved otherwise)."""
    engine = create_async_engine(stack.settings.database_url or "")
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "UPDATE conversations SET updated_at = now() - make_interval(days => :days)"
                    " WHERE id = :id"
                ),
                {"days": days, "id": uuid.UUID(conversation)},
            )
    finally:
        await engine.dispose()


async def test_pins_come_first_and_only_for_the_member_who_pinned(
    alice: UserClient, bob: UserClient
) -> None:
    ws = await alice.create_workspace()
    await bob.join(alice, ws, "member")
    shared = await new_conversation(alice, ws, title="Shared", visibility="shared")
    mine = await new_conversation(alice, ws, title="Mine")
    assert (await bob.put(f"/api/conversations/{shared}/pin")).status_code == 200

    bobs = await _sidebar(bob, ws)
    assert HEADING.findall(bobs) == ["Pinned"]
    assert ROW.findall(bobs) == [shared]  # once, under Pinned (alice's private one is not his)
    alices = await _sidebar(alice, ws)
    assert HEADING.findall(alices) == ["Today"]
    assert ROW.findall(alices) == [mine, shared]


async def test_date_groups_follow_last_activity_and_archived_ones_leave(
    stack: Stack, alice: UserClient
) -> None:
    ws = await alice.create_workspace()
    ages = {"today": 0, "yesterday": 1, "week": 5, "month": 20, "older": 45}
    ids = {name: await new_conversation(alice, ws, title=name) for name in ages}
    for name, days in ages.items():
        await _age(stack, ids[name], days)
    archived = await new_conversation(alice, ws, title="Archived")
    assert (await alice.put(f"/api/conversations/{archived}/archive")).status_code == 200

    html = await _sidebar(alice, ws)
    headings = HEADING.findall(html)
    assert headings[:4] == ["Today", "Yesterday", "Previous 7 days", "Previous 30 days"]
    assert len(headings) == 5 and re.fullmatch(r"[A-Z][a-z]+ \d{4}", headings[4])
    assert ROW.findall(html) == [ids[name] for name in ages]
    assert archived not in html


async def test_a_more_page_repeats_no_heading_and_no_pin(alice: UserClient) -> None:
    ws = await alice.create_workspace()
    ids = [await new_conversation(alice, ws, title=f"c{n}") for n in range(32)]
    pinned = ids[0]
    assert (await alice.put(f"/api/conversations/{pinned}/pin")).status_code == 200

    first, more = await _sidebar(alice, ws), await _sidebar(alice, ws, offset=30)
    assert HEADING.findall(first) == ["Pinned", "Today"]
    assert HEADING.findall(more) == []
    rows = ROW.findall(first) + ROW.findall(more)
    assert rows[0] == pinned and sorted(rows) == sorted(ids)  # each exactly once
