"""Editing a message and sending it again keeps the edited message's attachments: the new
message carries them (stored and shown), and the model receives them."""

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
from tests.integration.files.conftest import uploaded
from tests.integration.files.test_attachments import B64, IMAGE, wire_images
from tests.support import UserClient


async def test_an_edited_message_keeps_its_attachments(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    ws = await chat_workspace(alice)
    image = (await uploaded(alice, ws, "chart.png", IMAGE))["id"]
    notes = (await uploaded(alice, ws, "notes.txt", b"the budget is 42"))["id"]
    conversation = await new_conversation(alice, ws)
    path = f"/api/conversations/{conversation}/messages"
    first = await stream(
        alice,
        path,
        {"content": "what is this", "model": "openai/gpt-4o", "attachment_ids": [image, notes]},
    )
    original = one(first, "message.start")["parent_id"]
    since = await last_seq(sim)

    edited = await stream(
        alice,
        path,
        {
            "content": "what is this, briefly",
            "model": "openai/gpt-4o",
            "parent_id": None,
            "edit_of": original,
        },
    )

    assert one(edited, "message.end")["status"] == "complete"
    [request] = await sim_requests(sim, since)
    assert wire_images("openai", request["body"]) == [("image/png", B64)]
    assert "the budget is 42" in str(request["body"]["messages"][-1])
    detail = (await alice.get(f"/api/conversations/{conversation}")).json()
    new_user = next(m for m in detail["messages"] if m["text"] == "what is this, briefly")
    names = [p["name"] for p in new_user["parts"] if "attachment_id" in p]
    assert names == ["chart.png", "notes.txt"]


async def test_edit_of_must_be_a_user_message_of_the_conversation(alice: UserClient) -> None:
    ws = await chat_workspace(alice)
    conversation = await new_conversation(alice, ws)
    refused = await alice.post(
        f"/api/conversations/{conversation}/messages",
        json={
            "content": "x",
            "model": "openai/gpt-4o",
            "edit_of": "00000000-0000-0000-0000-000000000000",
        },
    )
    assert refused.status_code in (400, 422), refused.text
