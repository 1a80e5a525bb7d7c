"""Each member's default models in a workspace: overall and per provider, their own only."""

from __future__ import annotations

from tests.integration.chat.conftest import chat_workspace
from tests.support import UserClient


async def test_a_member_sets_and_reads_their_default_models(alice: UserClient) -> None:
    ws = await chat_workspace(alice)
    path = f"/api/workspaces/{ws}/me/model-defaults"
    assert (await alice.get(path)).json() == {"overall": None, "per_provider": {}}
    body = {
        "overall": "anthropic/claude-sonnet-4-6",
        "per_provider": {"openai": "openai/gpt-4.1-mini", "groq": "groq/gemma2-9b-it"},
    }
    saved = await alice.put(path, json=body)
    assert saved.status_code == 200, saved.text
    assert (await alice.get(path)).json() == body


async def test_defaults_are_per_member(alice: UserClient, bob: UserClient) -> None:
    ws = await chat_workspace(alice)
    await bob.join(alice, ws, "member")
    path = f"/api/workspaces/{ws}/me/model-defaults"
    await alice.put(path, json={"overall": "openai/gpt-4o"})
    assert (await bob.get(path)).json()["overall"] is None


async def test_a_default_must_name_a_model_of_its_provider(alice: UserClient) -> None:
    ws = await chat_workspace(alice)
    path = f"/api/workspaces/{ws}/me/model-defaults"
    wrong = await alice.put(path, json={"per_provider": {"openai": "groq/gemma2-9b-it"}})
    assert wrong.status_code == 422
    assert wrong.json()["field"] == "per_provider.openai"
    unknown = await alice.put(path, json={"overall": "nope/model"})
    assert (unknown.status_code, unknown.json()["field"]) == (422, "overall")


async def test_the_new_chat_page_preselects_the_overall_default(alice: UserClient) -> None:
    ws = await chat_workspace(alice)
    await alice.put(
        f"/api/workspaces/{ws}/me/model-defaults",
        json={"overall": "openai/gpt-4.1-mini", "per_provider": {"groq": "groq/gemma2-9b-it"}},
    )
    page = await alice.get(f"/w/{ws}/c/new")
    assert page.status_code == 200
    assert 'value="openai/gpt-4.1-mini" selected' in page.text
    assert 'data-defaults=\'{"groq": "groq/gemma2-9b-it"}\'' in page.text
