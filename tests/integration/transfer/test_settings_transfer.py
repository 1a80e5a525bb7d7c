"""A conversation's system prompt and parameters travel in its JSON export and come back with
an import; changing them leaves an audit row (with the prompt's length, not its text)."""

from __future__ import annotations

import json

from tests.integration.chat.conftest import chat_workspace, new_conversation
from tests.support import UserClient

SETTINGS = {
    "system_prompt": "Answer like a travel agent.",
    "temperature": 0.3,
    "top_p": 0.9,
    "max_output_tokens": 300,
}


async def test_settings_round_trip_through_export_and_import(alice: UserClient) -> None:
    ws = await chat_workspace(alice)
    original = await new_conversation(alice, ws, title="Agent")
    saved = await alice.put(f"/api/conversations/{original}/settings", json=SETTINGS)
    assert saved.status_code == 200, saved.text

    exported = await alice.http.get(
        f"/api/conversations/{original}/export", params={"format": "json", "scope": "tree"}
    )
    assert exported.json()["settings"] == SETTINGS
    imported = await alice.http.post(
        f"/api/workspaces/{ws}/imports",
        content=exported.content,
        headers={"Content-Type": "application/json"},
    )
    assert imported.status_code == 201, imported.text
    [created] = imported.json()["conversations"]
    restored = await alice.get(f"/api/conversations/{created['id']}/settings")
    assert restored.json() == SETTINGS


async def test_out_of_range_settings_in_a_file_are_refused(alice: UserClient) -> None:
    ws = await chat_workspace(alice)
    original = await new_conversation(alice, ws, title="Hot")
    exported = await alice.http.get(
        f"/api/conversations/{original}/export", params={"format": "json", "scope": "tree"}
    )
    document = exported.json()
    document["settings"] = {"temperature": 9}
    refused = await alice.http.post(
        f"/api/workspaces/{ws}/imports",
        content=json.dumps(document).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "invalid_import"


async def test_a_settings_change_is_audited_without_the_prompt(alice: UserClient) -> None:
    ws = await chat_workspace(alice)
    conversation = await new_conversation(alice, ws)
    await alice.put(f"/api/conversations/{conversation}/settings", json=SETTINGS)
    events = (await alice.get(f"/api/workspaces/{ws}/audit")).json()
    [row] = [e for e in events if e["action"] == "conversation.settings_changed"]
    assert row["target_id"] == conversation
    assert row["details"]["system_prompt_chars"] == len(SETTINGS["system_prompt"])
    assert row["details"]["temperature"] == 0.3
    assert "travel agent" not in json.dumps(row)
