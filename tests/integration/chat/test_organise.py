"""Pins are per member, archive is per conversation, and the list's filters combine (AND) on
top of who may see what."""

from __future__ import annotations

from typing import Any

from tests.integration.chat.conftest import chat_workspace, new_conversation, one, stream
from tests.support import UserClient


async def _listed(user: UserClient, ws: str, **params: Any) -> list[str]:
    resp = await user.get(f"/api/workspaces/{ws}/conversations", params=params)
    assert resp.status_code == 200, resp.text
    return [str(c["id"]) for c in resp.json()]


async def _answered(user: UserClient, conversation: str, model: str) -> None:
    path = f"/api/conversations/{conversation}/messages"
    one(await stream(user, path, {"content": "hello", "model": model}), "message.end")


async def test_a_pin_is_only_for_the_member_who_pinned(alice: UserClient, bob: UserClient) -> None:
    ws = await chat_workspace(alice)
    await bob.join(alice, ws, "member")
    shared = await new_conversation(alice, ws, title="Team notes", visibility="shared")

    pinned = await bob.put(f"/api/conversations/{shared}/pin")
    assert pinned.status_code == 200, pinned.text
    assert pinned.json()["pinned"] is True
    assert await _listed(bob, ws, pinned="true") == [shared]
    assert await _listed(alice, ws, pinned="true") == []
    alice_view = (await alice.get(f"/api/workspaces/{ws}/conversations")).json()
    assert [c["pinned"] for c in alice_view if c["id"] == shared] == [False]

    assert (await bob.put(f"/api/conversations/{shared}/pin")).status_code == 200  # twice = once
    unpinned = await bob.delete(f"/api/conversations/{shared}/pin")
    assert unpinned.status_code == 200, unpinned.text
    assert unpinned.json()["pinned"] is False
    assert await _listed(bob, ws, pinned="true") == []


async def test_archive_hides_from_the_default_list_and_restore_brings_it_back(
    alice: UserClient, bob: UserClient
) -> None:
    ws = await chat_workspace(alice)
    await bob.join(alice, ws, "member")
    kept = await new_conversation(alice, ws, title="Kept", visibility="shared")
    old = await new_conversation(alice, ws, title="Old", visibility="shared")

    archived = await bob.put(f"/api/conversations/{old}/archive")  # who may rename may archive
    assert archived.status_code == 200, archived.text
    assert archived.json()["archived_at"] is not None
    for member in (alice, bob):  # archive is per conversation: gone for everyone
        assert await _listed(member, ws) == [kept]
        assert await _listed(member, ws, archived="true") == [old]
    assert (await alice.get(f"/api/conversations/{old}")).status_code == 200  # not deleted

    restored = await alice.delete(f"/api/conversations/{old}/archive")
    assert restored.status_code == 200, restored.text
    assert restored.json()["archived_at"] is None
    assert set(await _listed(alice, ws)) == {kept, old}
    assert await _listed(alice, ws, archived="true") == []
    audit = (await alice.get(f"/api/workspaces/{ws}/audit")).json()
    actions = {row["action"] for row in audit}
    assert {"conversation.archived", "conversation.restored"} <= actions


async def test_viewers_may_pin_but_not_archive(alice: UserClient, bob: UserClient) -> None:
    ws = await chat_workspace(alice)
    await bob.join(alice, ws, "viewer")
    shared = await new_conversation(alice, ws, title="Read me", visibility="shared")

    assert (await bob.put(f"/api/conversations/{shared}/pin")).status_code == 200
    refused = await bob.put(f"/api/conversations/{shared}/archive")
    assert refused.status_code == 403, refused.text
    assert await _listed(alice, ws) == [shared]


async def test_filters_by_project_model_and_author_combine(
    alice: UserClient, bob: UserClient
) -> None:
    ws = await chat_workspace(alice)
    await bob.join(alice, ws, "member")
    project = (await alice.post(f"/api/workspaces/{ws}/projects", json={"name": "Launch"})).json()
    in_project = str(project["id"])
    a_gpt = await new_conversation(alice, ws, visibility="shared", project_id=in_project)
    a_claude = await new_conversation(alice, ws, visibility="shared", project_id=in_project)
    b_gpt = await new_conversation(bob, ws, visibility="shared", project_id=in_project)
    b_private = await new_conversation(bob, ws, project_id=in_project)
    a_loose = await new_conversation(alice, ws, visibility="shared")
    await _answered(alice, a_gpt, "openai/gpt-4o")
    await _answered(alice, a_claude, "anthropic/claude-sonnet-4-6")
    await _answered(bob, b_gpt, "openai/gpt-4o")
    await _answered(bob, b_private, "openai/gpt-4o")
    await _answered(alice, a_loose, "openai/gpt-4o")

    assert set(await _listed(alice, ws, project_id=in_project)) == {a_gpt, a_claude, b_gpt}
    assert set(await _listed(alice, ws, model="openai/gpt-4o")) == {a_gpt, b_gpt, a_loose}
    assert set(await _listed(alice, ws, author_id=bob.id)) == {b_gpt}  # not bob's private one
    both = {"project_id": in_project, "model": "openai/gpt-4o"}
    assert set(await _listed(alice, ws, **both)) == {a_gpt, b_gpt}
    assert await _listed(alice, ws, **both, author_id=alice.id) == [a_gpt]
    assert await _listed(alice, ws, model="anthropic/gpt-4o") == []
    assert set(await _listed(bob, ws, author_id=bob.id)) == {b_gpt, b_private}


async def test_a_model_filter_without_a_provider_is_refused(alice: UserClient) -> None:
    ws = await chat_workspace(alice)
    resp = await alice.get(f"/api/workspaces/{ws}/conversations", params={"model": "gpt-4o"})
    assert resp.status_code == 422, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")


async def test_another_workspaces_ids_are_not_found(alice: UserClient, bob: UserClient) -> None:
    ws = await chat_workspace(alice)
    theirs = await bob.create_workspace("Elsewhere")
    their_project = (
        await bob.post(f"/api/workspaces/{theirs}/projects", json={"name": "Secret"})
    ).json()["id"]
    their_chat = await new_conversation(bob, theirs, title="Theirs", visibility="shared")

    for resp in (
        await alice.put(f"/api/conversations/{their_chat}/pin"),
        await alice.delete(f"/api/conversations/{their_chat}/pin"),
        await alice.put(f"/api/conversations/{their_chat}/archive"),
        await alice.delete(f"/api/conversations/{their_chat}/archive"),
        await alice.get(
            f"/api/workspaces/{ws}/conversations", params={"project_id": their_project}
        ),
    ):
        assert resp.status_code == 404, resp.text
    assert (await bob.get(f"/api/conversations/{their_chat}")).json()["conversation"]["id"]
    assert await _listed(bob, theirs) == [their_chat]  # nothing of alice's calls changed it
