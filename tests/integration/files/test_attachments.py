"""Files and images in messages, end to end on the real stack: upload, send, what each provider
receives on its own wire, who may download, and hostile uploads (refused or neutralised, never a
5xx)."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from tests.integration.chat.conftest import (
    chat_workspace,
    last_seq,
    new_conversation,
    one,
    sim_requests,
    stream,
)
from tests.integration.files.conftest import upload, uploaded
from tests.support import UserClient
from tests.unit.files import samples

IMAGE = samples.png(3, 2, (10, 120, 240))
B64 = base64.b64encode(IMAGE).decode()
GROQ_VISION = "groq/meta-llama/llama-4-scout-17b-16e-instruct"


def wire_images(family: str, body: dict[str, Any]) -> list[tuple[str, str]]:
    """(media type, base64 data) of every image in a logged request, read the provider's way."""
    found: list[tuple[str, str]] = []
    if family in ("openai", "groq"):
        for message in body["messages"]:
            for part in message["content"] if isinstance(message["content"], list) else []:
                if part.get("type") == "image_url":
                    head, data = part["image_url"]["url"].split(",", 1)
                    found.append((head.removeprefix("data:").removesuffix(";base64"), data))
    elif family == "anthropic":
        for message in body["messages"]:
            for part in message["content"] if isinstance(message["content"], list) else []:
                if part.get("type") == "image":
                    found.append((part["source"]["media_type"], part["source"]["data"]))
    else:
        for content in body["contents"]:
            for part in content["parts"]:
                inline = part.get("inline_data") or part.get("inlineData")
                if inline:
                    found.append(
                        (inline.get("mime_type") or inline.get("mimeType"), inline["data"])
                    )
    return found


@pytest.mark.parametrize(
    ("model", "family"),
    [
        ("openai/gpt-4o", "openai"),
        ("anthropic/claude-sonnet-4-6", "anthropic"),
        ("gemini/gemini-2.5-flash", "gemini"),
        (GROQ_VISION, "groq"),
    ],
)
async def test_an_image_reaches_each_provider_in_its_own_wire_format(
    alice: UserClient, sim: httpx.AsyncClient, model: str, family: str
) -> None:
    ws = await chat_workspace(alice)
    c = await new_conversation(alice, ws)
    image = await uploaded(alice, ws, "chart.png", IMAGE)
    since = await last_seq(sim)

    body = {"content": "What is in this chart?", "model": model, "attachment_ids": [image["id"]]}
    events = await stream(alice, f"/api/conversations/{c}/messages", body)

    one(events, "message.end")
    (request,) = await sim_requests(sim, since)
    assert wire_images(family, request["body"]) == [("image/png", B64)]


async def test_an_upload_is_typed_from_its_bytes_not_from_the_client(alice: UserClient) -> None:
    ws = await alice.create_workspace()
    resp = await upload(alice, ws, "notes.txt", IMAGE, content_type="text/plain")
    assert resp.status_code == 201, resp.text
    got = resp.json()
    assert (got["kind"], got["media_type"], got["size"]) == ("image", "image/png", len(IMAGE))


async def test_a_pdfs_text_reaches_the_model_after_the_file_name(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    ws = await chat_workspace(alice)
    c = await new_conversation(alice, ws)
    pdf = await uploaded(alice, ws, "q3-report.pdf", samples.pdf_with_text("Revenue rose 12%"))
    assert (pdf["kind"], pdf["media_type"]) == ("text", "application/pdf")
    since = await last_seq(sim)

    body = {"content": "Summarise it", "model": "openai/gpt-4o", "attachment_ids": [pdf["id"]]}
    await stream(alice, f"/api/conversations/{c}/messages", body)

    (request,) = await sim_requests(sim, since)
    user = [m for m in request["body"]["messages"] if m["role"] == "user"][-1]
    # OpenAI's wire joins a text-only message into one string: the file follows a blank line.
    assert user["content"].startswith("Summarise it\n\n[Attached file: q3-report.pdf]\n")
    assert "Revenue rose 12%" in user["content"]
    # The thread shows the typed text; the file is a part of its own, named.
    detail = (await alice.get(f"/api/conversations/{c}")).json()
    stored = next(m for m in detail["messages"] if m["role"] == "user")
    assert stored["text"] == "Summarise it"
    assert [p["name"] for p in stored["parts"] if "attachment_id" in p] == ["q3-report.pdf"]


async def test_switching_model_and_comparing_carry_the_image(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    ws = await chat_workspace(alice)
    c = await new_conversation(alice, ws)
    image = await uploaded(alice, ws, "cat.png", IMAGE)
    first = {"content": "Look", "model": "openai/gpt-4o", "attachment_ids": [image["id"]]}
    await stream(alice, f"/api/conversations/{c}/messages", first)
    since = await last_seq(sim)

    await stream(
        alice,
        f"/api/conversations/{c}/messages",
        {"content": "And now?", "model": "anthropic/claude-sonnet-4-6"},
    )
    await stream(
        alice,
        f"/api/conversations/{c}/compare",
        {"content": "Both of you", "models": ["gemini/gemini-2.5-flash", "openai/gpt-4o-mini"]},
    )

    switched, *compared = await sim_requests(sim, since)
    assert wire_images("anthropic", switched["body"]) == [("image/png", B64)]
    families = sorted("gemini" if "contents" in r["body"] else "openai" for r in compared)
    assert families == ["gemini", "openai"]
    for request in compared:
        family = "gemini" if "contents" in request["body"] else "openai"
        assert wire_images(family, request["body"]) == [("image/png", B64)]


async def test_a_model_without_vision_refuses_an_image_before_any_call(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    ws = await chat_workspace(alice)
    c = await new_conversation(alice, ws)
    image = await uploaded(alice, ws, "cat.png", IMAGE)
    since = await last_seq(sim)

    body = {
        "content": "Hi",
        "model": "groq/llama-3.3-70b-versatile",
        "attachment_ids": [image["id"]],
    }
    refused = await alice.post(f"/api/conversations/{c}/messages", json=body)

    assert refused.status_code == 422
    assert refused.json()["code"] == "model_without_vision"
    assert "cannot read images" in refused.json()["detail"]
    assert await sim_requests(sim, since) == []
    # Nothing was kept: the same upload goes with a model that reads images.
    body["model"] = "openai/gpt-4o"
    one(await stream(alice, f"/api/conversations/{c}/messages", body), "message.end")


async def test_a_text_only_model_later_in_the_conversation_gets_a_note_instead_of_the_image(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    ws = await chat_workspace(alice)
    c = await new_conversation(alice, ws)
    image = await uploaded(alice, ws, "cat.png", IMAGE)
    first = {"content": "Look", "model": "openai/gpt-4o", "attachment_ids": [image["id"]]}
    await stream(alice, f"/api/conversations/{c}/messages", first)
    since = await last_seq(sim)

    next_turn = {"content": "Go on", "model": "groq/llama-3.3-70b-versatile"}
    one(await stream(alice, f"/api/conversations/{c}/messages", next_turn), "message.end")

    (request,) = await sim_requests(sim, since)
    assert "this model cannot read images" in json.dumps(request["body"])
    assert wire_images("groq", request["body"]) == []


async def test_an_upload_goes_with_one_message_only_and_only_its_uploaders(
    alice: UserClient, bob: UserClient
) -> None:
    ws = await chat_workspace(alice)
    await bob.join(alice, ws, "member")
    c = await new_conversation(alice, ws, visibility="shared")
    mine = await uploaded(alice, ws, "cat.png", IMAGE)
    body = {"content": "Look", "model": "openai/gpt-4o", "attachment_ids": [mine["id"]]}

    stolen = await bob.post(f"/api/conversations/{c}/messages", json=body)
    assert (stolen.status_code, stolen.json()["code"]) == (404, "not_found")

    await stream(alice, f"/api/conversations/{c}/messages", body)
    again = await alice.post(f"/api/conversations/{c}/messages", json=body)
    assert again.status_code == 404


async def test_too_many_files_in_one_message_are_refused(alice: UserClient) -> None:
    ws = await chat_workspace(alice)
    c = await new_conversation(alice, ws)
    ids = [(await uploaded(alice, ws, f"{i}.txt", b"note"))["id"] for i in range(11)]
    body = {"content": "All of them", "model": "openai/gpt-4o", "attachment_ids": ids}
    refused = await alice.post(f"/api/conversations/{c}/messages", json=body)
    assert refused.status_code == 422
    assert refused.json()["code"] == "too_many_attachments"
