"""A new turn reads only the branch it continues (issue 14: not the whole tree on every message),
and never a message of another conversation."""

from __future__ import annotations

import httpx

from tests.integration.chat.conftest import (
    chat_workspace,
    last_seq,
    new_conversation,
    one,
    sim_requests,
    stream,
)
from tests.support import UserClient

MODEL = "openai/gpt-4o"


def _said(request: dict[str, object]) -> list[str]:
    body = request["body"]
    assert isinstance(body, dict)
    return [str(m["content"]) for m in body["messages"] if m["role"] == "user"]


async def test_a_turn_sends_its_own_branch_only(alice: UserClient, sim: httpx.AsyncClient) -> None:
    ws = await chat_workspace(alice)
    c = await new_conversation(alice, ws)
    path = f"/api/conversations/{c}/messages"
    first = one(await stream(alice, path, {"content": "first root", "model": MODEL}), "message.end")
    await stream(alice, path, {"content": "second root", "model": MODEL, "parent_id": None})
    await stream(alice, path, {"content": "on the second", "model": MODEL})
    since = await last_seq(sim)
    body = {"content": "back on the first", "model": MODEL, "parent_id": first["message_id"]}
    assert one(await stream(alice, path, body), "message.end")["status"] == "complete"
    (request,) = await sim_requests(sim, since)
    assert _said(request) == ["first root", "back on the first"]


async def test_a_message_of_another_conversation_is_no_parent(alice: UserClient) -> None:
    ws = await chat_workspace(alice)
    mine, other = await new_conversation(alice, ws), await new_conversation(alice, ws)
    answered = await stream(
        alice, f"/api/conversations/{other}/messages", {"content": "elsewhere", "model": MODEL}
    )
    foreign = one(answered, "message.end")["message_id"]
    sent = await alice.post(
        f"/api/conversations/{mine}/messages",
        json={"content": "hi", "model": MODEL, "parent_id": foreign},
    )
    assert sent.status_code == 422, sent.text
    assert sent.json()["code"] == "invalid_parent"
    again = await alice.post(
        f"/api/conversations/{mine}/messages/{foreign}/regenerate", json={"model": MODEL}
    )
    assert again.status_code == 422, again.text
    assert again.json()["code"] == "invalid_parent"
    detail = (await alice.get(f"/api/conversations/{mine}")).json()
    assert detail["messages"] == []
