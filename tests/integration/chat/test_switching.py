"""Switching model mid-conversation carries the whole branch; long histories are trimmed."""

from __future__ import annotations

import uuid

import httpx
import sqlalchemy as sa

from adapters.types import Text
from tests.integration.chat.conftest import (
    chat_workspace,
    last_seq,
    new_conversation,
    one,
    sim_requests,
    stream,
    text_of,
)
from tests.support import UserClient
from workspace.chat.models import ChatMessage, Conversation
from workspace.chat.parts import dump_parts
from workspace.runtime import Runtime

TURNS = [
    ("openai/gpt-4o", "openai"),
    ("anthropic/claude-sonnet-4-6", "anthropic"),
    ("gemini/gemini-2.5-flash", "gemini"),
    ("groq/llama-3.3-70b-versatile", "groq"),
]


def _wire_roles(request: dict[str, object]) -> list[str]:
    body = request["body"]
    assert isinstance(body, dict)
    if "contents" in body:  # Gemini: user/model
        return [str(c["role"]) for c in body["contents"]]
    return [str(m["role"]) for m in body["messages"] if m["role"] != "system"]


async def test_each_provider_receives_every_earlier_turn(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    ws = await chat_workspace(alice)
    c = await new_conversation(alice, ws)
    for index, (model, _) in enumerate(TURNS):
        since = await last_seq(sim)
        events = await stream(
            alice,
            f"/api/conversations/{c}/messages",
            {"content": f"turn {index} question", "model": model},
        )
        assert one(events, "message.end")["status"] == "complete"
        expected = 2 * index + 1
        assert f"messages={expected} " in text_of(events)
        assert f"last_user=turn {index} question" in text_of(events)
        (request,) = await sim_requests(sim, since)
        assert request["model"] == model.split("/", 1)[1]
        roles = _wire_roles(request)
        assistant = "model" if model.startswith("gemini/") else "assistant"
        assert roles == ["user", assistant] * index + ["user"]
    detail = (await alice.get(f"/api/conversations/{c}")).json()
    answers = [m for m in detail["messages"] if m["role"] == "assistant"]
    assert [m["model"] for m in answers] == [model for model, _ in TURNS]
    assert len(detail["current_path"]) == 2 * len(TURNS)


async def _seed_history(runtime: Runtime, conversation_id: str, turns: int) -> None:
    """``turns`` user/assistant pairs of 200 characters each, straight into the database."""
    conversation = uuid.UUID(conversation_id)
    parent: uuid.UUID | None = None
    rows = []
    for i in range(turns):
        for role in ("user", "assistant"):
            text = f"{role} turn {i} ".ljust(200, "x")
            message = ChatMessage(
                conversation_id=conversation,
                parent_id=parent,
                role=role,
                parts=dump_parts((Text(text),)),
                model="openai/gpt-4o" if role == "assistant" else None,
            )
            rows.append(message)
            parent = message.id
    async with runtime.sessionmaker() as session:
        for row in rows:  # parents first: the tree's foreign key checks each insert
            session.add(row)
            await session.flush()
        await session.execute(
            sa.update(Conversation)
            .where(Conversation.id == conversation)  # type: ignore[arg-type]
            .values(current_leaf_id=parent)
        )
        await session.commit()


async def test_long_history_is_trimmed_for_a_small_model(
    alice: UserClient, runtime: Runtime, sim: httpx.AsyncClient
) -> None:
    ws = await chat_workspace(alice)
    c = await new_conversation(alice, ws)
    await _seed_history(runtime, c, 200)
    since = await last_seq(sim)

    events = await stream(
        alice,
        f"/api/conversations/{c}/messages",
        {"content": "sum up", "model": "groq/gemma2-9b-it"},
    )

    # Policy: 200-char messages are 50 + 8 tokens; 8192 - 1024 reserved = 7168; the new turn
    # costs 10, so 61 whole old turns fit and the oldest 139 are left out.
    trimmed = one(events, "context.trimmed")
    assert trimmed == {"turns_dropped": 139, "messages_dropped": 278}
    assert one(events, "message.end")["status"] == "complete"
    assert "messages=123 " in text_of(events)
    (request,) = await sim_requests(sim, since)
    assert request["status"] == 200
    assert request["body"]["messages"][0]["content"].startswith("user turn 139 ")
