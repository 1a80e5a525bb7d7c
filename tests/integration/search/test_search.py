"""Search finds what the caller may see, ranks titles above passing mentions, marks the hits,
and runs on the GIN indexes migration 0008 builds."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from tests.integration.chat.conftest import chat_workspace, new_conversation, stream
from tests.support import Stack, UserClient


async def _say(user: UserClient, conversation: str, text: str) -> None:
    events = await stream(
        user,
        f"/api/conversations/{conversation}/messages",
        {"content": text, "model": "openai/gpt-4o"},
    )
    assert events[-1].event == "message.end", events


async def _search(user: UserClient, ws: str, q: str, **params: Any) -> list[dict[str, Any]]:
    resp = await user.get(f"/api/workspaces/{ws}/search", params={"q": q, **params})
    assert resp.status_code == 200, resp.text
    hits: list[dict[str, Any]] = resp.json()
    return hits


async def test_search_ranks_visible_conversations_and_marks_the_hits(
    alice: UserClient, bob: UserClient
) -> None:
    ws = await chat_workspace(alice)
    await bob.join(alice, ws, "member")
    mention = await new_conversation(alice, ws, title="Weekly notes")
    await _say(alice, mention, "Remember the zeppelin budget review before Friday.")
    titled = await new_conversation(alice, ws, title="Zeppelin launch plan")
    await _say(alice, titled, "Draft the agenda.")
    shared = await new_conversation(bob, ws, title="Bob shares", visibility="shared")
    await _say(bob, shared, "The zeppelins are ready.")
    private = await new_conversation(bob, ws, title="Bob alone")
    await _say(bob, private, "My private zeppelin diary.")
    other_ws = await chat_workspace(alice)
    elsewhere = await new_conversation(alice, other_ws, title="Zeppelin elsewhere")

    hits = await _search(alice, ws, "zeppel")

    found = [h["conversation_id"] for h in hits]
    assert found[0] == titled  # a title match counts double
    assert set(found) == {titled, mention, shared}
    assert private not in found and elsewhere not in found
    by_id = {h["conversation_id"]: h for h in hits}
    snippet = by_id[mention]["snippet"]
    assert [p["text"] for p in snippet if p["hit"]] == ["zeppelin"]
    assert "".join(p["text"] for p in snippet).startswith("Remember the zeppelin budget")
    assert by_id[mention]["message_id"] is not None


async def test_every_word_must_match_and_the_project_filter_narrows(alice: UserClient) -> None:
    ws = await chat_workspace(alice)
    project = (await alice.post(f"/api/workspaces/{ws}/projects", json={"name": "P"})).json()
    inside = await new_conversation(alice, ws, title="Quarterly kumquat", project_id=project["id"])
    outside = await new_conversation(alice, ws, title="Kumquat harvest")

    assert {h["conversation_id"] for h in await _search(alice, ws, "kumquat")} == {
        inside,
        outside,
    }
    assert [h["conversation_id"] for h in await _search(alice, ws, "kumquat harv")] == [outside]
    assert [
        h["conversation_id"] for h in await _search(alice, ws, "kumquat", project_id=project["id"])
    ] == [inside]
    assert await _search(alice, ws, "   ") == []


async def test_bad_searches_are_clear_errors(alice: UserClient, bob: UserClient) -> None:
    ws = await alice.create_workspace("Search limits")

    too_long = await alice.get(f"/api/workspaces/{ws}/search", params={"q": "x" * 201})
    assert too_long.status_code == 422
    assert too_long.json()["code"] == "invalid_input"
    too_many = await alice.get(f"/api/workspaces/{ws}/search", params={"q": "x", "limit": 51})
    assert too_many.status_code == 422
    outsider = await bob.get(f"/api/workspaces/{ws}/search", params={"q": "x"})
    assert outsider.status_code == 404


async def test_searches_use_the_gin_indexes(stack: Stack) -> None:
    engine = create_async_engine(stack.settings.database_url or "")
    async with engine.connect() as conn:
        await conn.execute(sa.text("SET enable_seqscan = off"))
        plans = [
            "\n".join(
                row[0]
                for row in await conn.execute(
                    sa.text(f"EXPLAIN SELECT 1 FROM {table} WHERE search_vector @@ 'a:*'")
                )
            )
            for table in ("chat_messages", "conversations")
        ]
    await engine.dispose()
    assert "ix_chat_messages_search" in plans[0]
    assert "ix_conversations_search" in plans[1]
