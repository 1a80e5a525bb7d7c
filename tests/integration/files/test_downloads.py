"""Downloading an attachment: who may, and how it is served (never as a page)."""

from __future__ import annotations

from tests.integration.chat.conftest import chat_workspace, new_conversation, stream
from tests.integration.files.conftest import uploaded
from tests.support import UserClient
from tests.unit.files import samples

IMAGE = samples.png()


async def _sent(user: UserClient, ws: str, c: str, name: str, data: bytes) -> str:
    attachment = await uploaded(user, ws, name, data)
    body = {"content": "see", "model": "openai/gpt-4o", "attachment_ids": [attachment["id"]]}
    await stream(user, f"/api/conversations/{c}/messages", body)
    return str(attachment["id"])


async def test_a_download_is_an_attachment_with_nosniff_and_the_sniffed_type(
    alice: UserClient,
) -> None:
    ws = await chat_workspace(alice)
    page = await uploaded(alice, ws, "page.html", samples.HTML)

    got = await alice.get(f"/api/attachments/{page['id']}", params={"inline": "1"})

    assert got.status_code == 200
    assert got.content == samples.HTML
    assert got.headers["content-type"] == "text/plain; charset=utf-8"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff"


async def test_only_a_sniffed_image_may_be_shown_inline(alice: UserClient) -> None:
    ws = await chat_workspace(alice)
    image = await uploaded(alice, ws, "dot.png", IMAGE)

    inline = await alice.get(f"/api/attachments/{image['id']}", params={"inline": "1"})
    download = await alice.get(f"/api/attachments/{image['id']}")

    assert inline.headers["content-type"] == "image/png"
    assert inline.headers["content-disposition"].startswith("inline;")
    assert download.headers["content-disposition"].startswith("attachment;")


async def test_an_unsent_upload_is_its_uploaders_alone(alice: UserClient, bob: UserClient) -> None:
    ws = await chat_workspace(alice)
    await bob.join(alice, ws, "member")
    image = await uploaded(alice, ws, "dot.png", IMAGE)

    assert (await alice.get(f"/api/attachments/{image['id']}")).status_code == 200
    assert (await bob.get(f"/api/attachments/{image['id']}")).status_code == 404


async def test_a_sent_attachment_follows_the_conversations_access(
    alice: UserClient, bob: UserClient
) -> None:
    ws = await chat_workspace(alice)
    await bob.join(alice, ws, "member")
    private = await new_conversation(alice, ws)
    shared = await new_conversation(alice, ws, visibility="shared")

    hidden = await _sent(alice, ws, private, "private.png", IMAGE)
    visible = await _sent(alice, ws, shared, "shared.png", IMAGE)

    assert (await bob.get(f"/api/attachments/{hidden}")).status_code == 404
    assert (await bob.get(f"/api/attachments/{visible}")).status_code == 200


async def test_another_workspace_cannot_download(alice: UserClient, bob: UserClient) -> None:
    ws = await chat_workspace(alice)
    c = await new_conversation(alice, ws, visibility="shared")
    sent = await _sent(alice, ws, c, "team.png", IMAGE)
    await bob.create_workspace("Elsewhere")

    got = await bob.get(f"/api/attachments/{sent}")

    assert (got.status_code, got.json()["code"]) == (404, "not_found")
