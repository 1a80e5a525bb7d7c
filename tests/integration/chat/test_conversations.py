"""Who sees and writes a conversation; branches by regenerating and editing."""

from __future__ import annotations

from tests.integration.chat.conftest import chat_workspace, new_conversation, one, stream
from tests.support import Stack, UserClient, new_user

MESSAGE = {"content": "hello team", "model": "openai/gpt-4o"}


async def test_shared_conversation_permissions_follow_roles(
    stack: Stack, alice: UserClient, bob: UserClient
) -> None:
    ws = await chat_workspace(alice)
    await bob.join(alice, ws, "member")
    async with new_user(stack, "viewer") as viewer, new_user(stack, "outsider") as outsider:
        await viewer.join(alice, ws, "viewer")
        c = await new_conversation(alice, ws, title="Shared", visibility="shared")
        path = f"/api/conversations/{c}"

        assert one(await stream(alice, path + "/messages", MESSAGE), "message.end")
        assert one(await stream(bob, path + "/messages", MESSAGE), "message.end")

        assert (await viewer.get(path)).status_code == 200
        for resp in (
            await viewer.post(path + "/messages", json=MESSAGE),
            await viewer.patch(path, json={"title": "mine now"}),
            await viewer.post(
                path + "/compare", json={"content": "x", "models": ["openai/gpt-4o"] * 2}
            ),
        ):
            assert resp.status_code == 403, resp.text
        assert c in [
            x["id"] for x in (await viewer.get(f"/api/workspaces/{ws}/conversations")).json()
        ]

        for resp in (
            await outsider.get(path),
            await outsider.post(path + "/messages", json=MESSAGE),
            await outsider.delete(path),
        ):
            assert resp.status_code == 404, resp.text


async def test_private_conversation_is_invisible_to_other_members(
    alice: UserClient, bob: UserClient
) -> None:
    ws = await chat_workspace(alice)
    await bob.join(alice, ws, "admin")
    c = await new_conversation(alice, ws, title="Mine")
    assert (await bob.get(f"/api/conversations/{c}")).status_code == 404
    assert (await bob.post(f"/api/conversations/{c}/messages", json=MESSAGE)).status_code == 404
    assert c not in [x["id"] for x in (await bob.get(f"/api/workspaces/{ws}/conversations")).json()]
    assert c in [x["id"] for x in (await alice.get(f"/api/workspaces/{ws}/conversations")).json()]


async def test_regenerate_with_another_model_adds_a_sibling_and_branches_switch(
    alice: UserClient,
) -> None:
    ws = await chat_workspace(alice)
    c = await new_conversation(alice, ws)
    path = f"/api/conversations/{c}"
    first = one(await stream(alice, path + "/messages", MESSAGE), "message.end")["message_id"]

    events = await stream(
        alice, f"{path}/messages/{first}/regenerate", {"model": "anthropic/claude-sonnet-4-6"}
    )
    second = one(events, "message.end")["message_id"]

    detail = (await alice.get(path)).json()
    by_id = {m["id"]: m for m in detail["messages"]}
    assert by_id[first]["parent_id"] == by_id[second]["parent_id"]
    assert by_id[second]["model"] == "anthropic/claude-sonnet-4-6"
    assert detail["current_path"][-1] == second

    switched = await alice.put(path + "/current", json={"leaf_id": first})
    assert switched.status_code == 200, switched.text
    assert switched.json()["current_path"] == [by_id[first]["parent_id"], first]


async def test_editing_a_user_message_creates_a_sibling_branch(alice: UserClient) -> None:
    ws = await chat_workspace(alice)
    c = await new_conversation(alice, ws)
    path = f"/api/conversations/{c}"
    await stream(alice, path + "/messages", MESSAGE)
    before = (await alice.get(path)).json()
    original_user = before["current_path"][0]

    events = await stream(
        alice,
        path + "/messages",
        {"content": "hello, edited", "model": "openai/gpt-4o", "parent_id": None},
    )
    assert "messages=1 " in "".join(e.data.get("text", "") for e in events if e.event == "delta")
    after = (await alice.get(path)).json()
    roots = [m for m in after["messages"] if m["parent_id"] is None]
    assert len(roots) == 2
    assert after["current_path"][0] != original_user


async def test_regenerate_with_the_same_idempotency_key_runs_once(alice: UserClient) -> None:
    ws = await chat_workspace(alice)
    c = await new_conversation(alice, ws)
    path = f"/api/conversations/{c}"
    first = one(await stream(alice, path + "/messages", MESSAGE), "message.end")["message_id"]
    again = {"model": "openai/gpt-4o-mini"}
    headers = {"Idempotency-Key": "regen-once"}
    one_end = one(
        await stream(alice, f"{path}/messages/{first}/regenerate", again, headers), "message.end"
    )
    replay_end = one(
        await stream(alice, f"{path}/messages/{first}/regenerate", again, headers), "message.end"
    )
    assert replay_end["message_id"] == one_end["message_id"]
    answers = [m for m in (await alice.get(path)).json()["messages"] if m["role"] == "assistant"]
    assert len(answers) == 2
