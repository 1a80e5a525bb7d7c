"""Export and import on the real stack: a file round-trips into the same tree, ChatGPT's export
keeps its branches and current answer, a hostile file stores nothing, and privacy holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from tests.integration.chat.conftest import chat_workspace, new_conversation, stream
from tests.support import UserClient

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "chatgpt_conversations.json"
MODEL = "openai/gpt-4o"
Shape = tuple[tuple[str, str, "Shape"], ...]


async def _say(user: UserClient, conversation: str, text: str, **fields: Any) -> str:
    events = await stream(
        user,
        f"/api/conversations/{conversation}/messages",
        {"content": text, "model": MODEL, **fields},
    )
    assert events[-1].event == "message.end", events
    return str(events[-1].data["message_id"])


async def _branched(user: UserClient, ws: str) -> str:
    """Two turns, then the second question asked again differently: a tree with two branches."""
    conversation = await new_conversation(user, ws, title="Trip planning")
    first_answer = await _say(user, conversation, "Where should we go in spring?")
    await _say(user, conversation, "And what should we pack?")
    await _say(user, conversation, "And how long should we stay?", parent_id=first_answer)
    return conversation


async def _detail(user: UserClient, conversation: str) -> dict[str, Any]:
    resp = await user.get(f"/api/conversations/{conversation}")
    assert resp.status_code == 200, resp.text
    detail: dict[str, Any] = resp.json()
    return detail


def _shape(messages: list[dict[str, Any]], parent: str | None = None) -> Shape:
    """The tree as nested (role, text, children), sorted: equal for equal trees, ids aside."""
    children = [m for m in messages if m["parent_id"] == parent]
    return tuple(sorted((m["role"], m["text"], _shape(messages, m["id"])) for m in children))


def _current_texts(detail: dict[str, Any]) -> list[tuple[str, str]]:
    by_id = {m["id"]: m for m in detail["messages"]}
    return [(by_id[i]["role"], by_id[i]["text"]) for i in detail["current_path"]]


async def _import(user: UserClient, ws: str, body: bytes) -> httpx.Response:
    return await user.http.post(
        f"/api/workspaces/{ws}/imports",
        content=body,
        headers={"Content-Type": "application/json"},
    )


async def _export(user: UserClient, conversation: str, fmt: str, scope: str) -> httpx.Response:
    return await user.http.get(
        f"/api/conversations/{conversation}/export", params={"format": fmt, "scope": scope}
    )


async def _conversation_ids(user: UserClient, ws: str) -> set[str]:
    resp = await user.get(f"/api/workspaces/{ws}/conversations", params={"limit": 200})
    assert resp.status_code == 200, resp.text
    return {c["id"] for c in resp.json()}


async def test_a_tree_export_imports_as_the_same_tree(alice: UserClient) -> None:
    ws = await chat_workspace(alice)
    original = await _branched(alice, ws)

    exported = await _export(alice, original, "json", "tree")
    assert exported.status_code == 200, exported.text
    document = exported.json()
    assert (document["format"], document["version"]) == ("switchboard.conversation", 1)
    imported = await _import(alice, ws, exported.content)

    assert imported.status_code == 201, imported.text
    [created] = imported.json()["conversations"]
    before, after = await _detail(alice, original), await _detail(alice, created["id"])
    assert after["conversation"]["title"] == before["conversation"]["title"] == "Trip planning"
    assert _shape(after["messages"]) == _shape(before["messages"])
    assert len(after["messages"]) == 6
    assert _current_texts(after) == _current_texts(before)
    assert after["conversation"]["visibility"] == "private"
    answers = [m for m in after["messages"] if m["role"] == "assistant"]
    assert {(m["provider"], m["model"]) for m in answers} == {("openai", "openai/gpt-4o")}
    # Imported answers were not paid for here: no usage, no credits, no cost.
    assert all(m["credits"] == 0 and m["cost_usd_micros"] == 0 for m in answers)
    assert all(m["usage"]["input_tokens"] is None for m in answers)


async def test_a_branch_export_imports_as_a_single_path(alice: UserClient) -> None:
    ws = await chat_workspace(alice)
    original = await _branched(alice, ws)
    exported = await _export(alice, original, "json", "branch")

    imported = await _import(alice, ws, exported.content)

    [created] = imported.json()["conversations"]
    after = await _detail(alice, created["id"])
    assert len(after["messages"]) == 4
    assert after["current_path"] == [m["id"] for m in after["messages"]]
    assert _current_texts(after) == _current_texts(await _detail(alice, original))


async def test_markdown_export_is_a_readable_download(alice: UserClient) -> None:
    ws = await chat_workspace(alice)
    original = await _branched(alice, ws)

    branch = await _export(alice, original, "markdown", "branch")
    tree = await _export(alice, original, "markdown", "tree")

    assert branch.status_code == 200, branch.text
    assert branch.headers["content-type"].startswith("text/markdown")
    assert branch.headers["x-content-type-options"] == "nosniff"
    assert branch.headers["content-disposition"].startswith(
        'attachment; filename="Trip planning.md"'
    )
    text = branch.text
    assert text.startswith("# Trip planning\n")
    assert "**You** (alice)\n\nWhere should we go in spring?" in text
    assert "**openai/gpt-4o**" in text
    assert "how long should we stay?" in text and "what should we pack?" not in text
    assert "what should we pack?" in tree.text and "version 2 of 2" in tree.text


async def test_chatgpt_conversations_json_imports_with_its_tree_and_current_leaf(
    alice: UserClient,
) -> None:
    ws = await alice.create_workspace()

    imported = await _import(alice, ws, FIXTURE.read_bytes())

    assert imported.status_code == 201, imported.text
    lisbon, median = imported.json()["conversations"]
    detail = await _detail(alice, lisbon["id"])
    assert detail["conversation"]["title"] == "Packing list for Lisbon"
    assert len(detail["messages"]) == 5
    assert _current_texts(detail) == [
        ("user", "What should I pack for three days in Lisbon in May?"),
        (
            "assistant",
            "Pack light layers, comfortable walking shoes for the hills, and a light rain jacket.",
        ),
        ("user", "Shorter, please."),
        ("assistant", "Layers, walking shoes, rain jacket."),
    ]
    question = next(m for m in detail["messages"] if m["parent_id"] is None)
    versions = [m for m in detail["messages"] if m["parent_id"] == question["id"]]
    assert sorted(m["model"] for m in versions) == ["openai/gpt-4o", "openai/gpt-4o-mini"]
    second = await _detail(alice, median["id"])
    assert [(m["role"], m["text"]) for m in second["messages"]] == [
        ("user", "What is the median of 3, 9, 4?"),
        ("assistant", "The median is 4."),
    ]


def _chain(count: int) -> dict[str, Any]:
    mapping = {
        f"n{i}": {
            "message": {
                "author": {"role": "user" if i % 2 else "assistant"},
                "content": {"content_type": "text", "parts": [f"m{i}"]},
            },
            "parent": f"n{i - 1}" if i else None,
        }
        for i in range(count)
    }
    return {"title": "Long", "mapping": mapping, "current_node": f"n{count - 1}"}


HOSTILE: dict[str, bytes] = {
    "not JSON": b"<html>not an export</html>",
    "wrong shape": json.dumps({"conversations": [{"title": "x"}]}).encode(),
    "10,000 messages": json.dumps([_chain(10_000)]).encode(),
    "a mapping cycle": json.dumps(
        [
            _chain(2),
            {
                "title": "Loop",
                "mapping": {"a": {"parent": "b"}, "b": {"parent": "a"}},
            },
        ]
    ).encode(),
    "a parent outside": json.dumps(
        [{"title": "Orphan", "mapping": {"a": {"parent": "somewhere-else"}}}]
    ).encode(),
}


async def test_hostile_files_are_refused_and_nothing_is_stored(alice: UserClient) -> None:
    ws = await alice.create_workspace()
    before = await _conversation_ids(alice, ws)

    for label, body in HOSTILE.items():
        resp = await _import(alice, ws, body)
        assert resp.status_code in (400, 413, 422), (label, resp.status_code, resp.text)
        assert resp.headers["content-type"].startswith("application/problem+json"), label
        assert resp.json()["code"] in ("invalid_import", "import_too_large"), (label, resp.text)

    assert await _conversation_ids(alice, ws) == before


async def test_a_file_over_the_general_body_limit_but_within_the_import_limit_is_taken(
    alice: UserClient,
) -> None:
    ws = await alice.create_workspace()
    long_text = "word " * 400_000  # 2 MB: over SWITCHBOARD_MAX_BODY_BYTES (1 MiB)
    body = json.dumps(
        [
            {
                "title": "Big",
                "mapping": {
                    "a": {
                        "message": {"author": {"role": "user"}, "content": {"parts": [long_text]}},
                        "parent": None,
                    }
                },
            }
        ]
    ).encode()

    resp = await _import(alice, ws, body)

    assert resp.status_code == 201, resp.text[:500]
    too_big = await _import(alice, ws, b" " * (21 * 1024 * 1024))
    assert too_big.status_code == 413
    assert too_big.json()["code"] == "request_too_large"


async def test_another_members_private_conversation_cannot_be_exported(
    alice: UserClient, bob: UserClient
) -> None:
    ws = await chat_workspace(alice)
    await bob.join(alice, ws, "member")
    private = await new_conversation(alice, ws, title="Mine alone")
    shared = await new_conversation(alice, ws, title="For the team", visibility="shared")

    refused = await _export(bob, private, "json", "tree")
    allowed = await _export(bob, shared, "markdown", "branch")

    assert refused.status_code == 404
    assert "Mine alone" not in refused.text
    assert allowed.status_code == 200 and allowed.text.startswith("# For the team")


async def test_a_viewer_cannot_import(alice: UserClient, bob: UserClient) -> None:
    ws = await alice.create_workspace()
    await bob.join(alice, ws, "viewer")

    resp = await _import(bob, ws, FIXTURE.read_bytes())

    assert resp.status_code == 403
    assert await _conversation_ids(alice, ws) == set()
