"""Presets: members keep their own, admins share them with the workspace, a new chat or compare
starts from one, and every change leaves an audit row."""

from __future__ import annotations

from typing import Any

import httpx

from tests.integration.chat.conftest import (
    chat_workspace,
    last_seq,
    new_conversation,
    sim_requests,
    stream,
)
from tests.support import UserClient

REVIEWER = {
    "name": "Code reviewer",
    "description": "Strict, kind, short.",
    "system_prompt": "Review the code like a senior engineer.",
    "model": "openai/gpt-4o",
    "temperature": 0.2,
    "top_p": 0.9,
    "max_output_tokens": 500,
}


async def _create(user: UserClient, ws: str, **fields: Any) -> dict[str, Any]:
    resp = await user.post(f"/api/workspaces/{ws}/presets", json={**REVIEWER, **fields})
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def _names(user: UserClient, ws: str) -> list[str]:
    resp = await user.get(f"/api/workspaces/{ws}/presets")
    assert resp.status_code == 200, resp.text
    return [p["name"] for p in resp.json()]


async def test_a_members_preset_is_private_to_them(alice: UserClient, bob: UserClient) -> None:
    ws = await alice.create_workspace()
    await bob.join(alice, ws, "member")
    mine = await _create(alice, ws, name="Alice's own")
    assert mine["shared"] is False and mine["owner_id"] == alice.id
    assert await _names(alice, ws) == ["Alice's own"]
    assert await _names(bob, ws) == []
    for call in (
        bob.get(f"/api/workspaces/{ws}/presets/{mine['id']}"),
        bob.patch(f"/api/workspaces/{ws}/presets/{mine['id']}", json={"name": "mine now"}),
        bob.delete(f"/api/workspaces/{ws}/presets/{mine['id']}"),
    ):
        assert (await call).status_code == 404


async def test_admins_share_presets_with_every_member(alice: UserClient, bob: UserClient) -> None:
    ws = await alice.create_workspace()
    await bob.join(alice, ws, "member")
    preset = await _create(alice, ws, name="Team voice")
    resp = await alice.patch(f"/api/workspaces/{ws}/presets/{preset['id']}", json={"shared": True})
    assert resp.status_code == 200, resp.text
    assert resp.json()["shared"] is True
    seen = (await bob.get(f"/api/workspaces/{ws}/presets/{preset['id']}")).json()
    assert seen["system_prompt"] == REVIEWER["system_prompt"]
    await _create(bob, ws, name="Bob's own")
    assert await _names(bob, ws) == ["Team voice", "Bob's own"]
    assert await _names(alice, ws) == ["Team voice"]


async def test_only_admins_share_or_change_the_shared_library(
    alice: UserClient, bob: UserClient
) -> None:
    ws = await alice.create_workspace()
    await bob.join(alice, ws, "member")
    own = await _create(bob, ws, name="Bob's own")
    for attempt in (
        bob.post(f"/api/workspaces/{ws}/presets", json={**REVIEWER, "shared": True}),
        bob.patch(f"/api/workspaces/{ws}/presets/{own['id']}", json={"shared": True}),
    ):
        resp = await attempt
        assert resp.status_code == 403
        assert resp.json()["code"] == "permission_denied"
    shared = await _create(alice, ws, name="Team voice", shared=True)
    url = f"/api/workspaces/{ws}/presets/{shared['id']}"
    assert (await bob.patch(url, json={"name": "Bob's voice"})).status_code == 403
    assert (await bob.delete(url)).status_code == 403
    assert (await alice.delete(url)).status_code == 204
    assert await _names(bob, ws) == ["Bob's own"]


async def test_a_viewer_reads_the_library_but_creates_nothing(
    alice: UserClient, bob: UserClient
) -> None:
    ws = await alice.create_workspace()
    await bob.join(alice, ws, "viewer")
    await _create(alice, ws, name="Team voice", shared=True)
    assert await _names(bob, ws) == ["Team voice"]
    resp = await bob.post(f"/api/workspaces/{ws}/presets", json=REVIEWER)
    assert resp.status_code == 403


async def test_another_workspaces_preset_is_not_found(alice: UserClient, bob: UserClient) -> None:
    ws = await alice.create_workspace()
    shared = await _create(alice, ws, shared=True)
    other = await bob.create_workspace()
    resp = await bob.get(f"/api/workspaces/{other}/presets/{shared['id']}")
    assert resp.status_code == 404
    created = await bob.post(
        f"/api/workspaces/{other}/conversations", json={"preset_id": shared["id"]}
    )
    assert created.status_code == 404
    assert await _names(bob, other) == []


async def test_editing_sets_and_clears_fields(alice: UserClient) -> None:
    ws = await alice.create_workspace()
    preset = await _create(alice, ws)
    url = f"/api/workspaces/{ws}/presets/{preset['id']}"
    resp = await alice.patch(url, json={"temperature": None, "system_prompt": "Be brief."})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["temperature"], body["system_prompt"], body["top_p"]) == (None, "Be brief.", 0.9)


async def test_bad_preset_bodies_are_refused_with_a_stable_code(alice: UserClient) -> None:
    ws = await alice.create_workspace()
    for bad in ({**REVIEWER, "name": ""}, {**REVIEWER, "temperature": 3}, {"name": "x", "y": 1}):
        resp = await alice.post(f"/api/workspaces/{ws}/presets", json=bad)
        assert resp.status_code in (400, 422), resp.text
        assert resp.json()["code"] == "validation_error"


async def test_preset_changes_write_audit_rows(alice: UserClient) -> None:
    ws = await alice.create_workspace()
    preset = await _create(alice, ws)
    url = f"/api/workspaces/{ws}/presets/{preset['id']}"
    await alice.patch(url, json={"name": "Reviewer", "shared": True})
    await alice.delete(url)
    events = (await alice.get(f"/api/workspaces/{ws}/audit")).json()
    rows = [(e["action"], e["details"]) for e in events if e["action"].startswith("preset.")]
    assert rows == [
        ("preset.deleted", {"name": "Reviewer"}),
        ("preset.updated", {"fields": ["name"]}),
        ("preset.shared", {"shared": True}),
        ("preset.created", {"shared": False}),
    ]


async def test_a_chat_started_from_a_preset_asks_with_its_prompt(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    ws = await chat_workspace(alice)
    preset = await _create(alice, ws)
    c = await new_conversation(alice, ws, preset_id=preset["id"])
    settings = (await alice.get(f"/api/conversations/{c}/settings")).json()
    assert settings["system_prompt"] == REVIEWER["system_prompt"]
    await alice.patch(
        f"/api/workspaces/{ws}/presets/{preset['id']}", json={"system_prompt": "Changed later."}
    )
    since = await last_seq(sim)
    body = {"content": "x", "model": "openai/gpt-4o"}
    await stream(alice, f"/api/conversations/{c}/messages", body)
    (request,) = await sim_requests(sim, since)
    assert request["body"]["messages"][0]["content"] == REVIEWER["system_prompt"]
    assert request["body"]["temperature"] == 0.2


async def test_a_compare_started_from_a_preset_sends_it_to_every_lane(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    ws = await chat_workspace(alice)
    preset = await _create(alice, ws)
    c = await new_conversation(alice, ws, preset_id=preset["id"])
    since = await last_seq(sim)
    models = ["openai/gpt-4o", "gemini/gemini-2.5-flash"]
    await stream(alice, f"/api/conversations/{c}/compare", {"content": "x", "models": models})
    requests = await sim_requests(sim, since)
    assert len(requests) == 2
    by_path = {r["path"]: r["body"] for r in requests}
    openai = next(b for p, b in by_path.items() if "chat/completions" in p)
    gemini = next(b for p, b in by_path.items() if "generate" in p.lower())
    assert openai["messages"][0]["content"] == REVIEWER["system_prompt"]
    assert gemini["systemInstruction"]["parts"][0]["text"] == REVIEWER["system_prompt"]
