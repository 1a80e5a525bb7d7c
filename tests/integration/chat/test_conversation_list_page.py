"""The conversation list page filters by model and by author with a plain form."""

from __future__ import annotations

from tests.integration.chat.conftest import chat_workspace, new_conversation, stream
from tests.support import UserClient


async def _answered(user: UserClient, ws: str, title: str, model: str) -> str:
    conversation = await new_conversation(user, ws, title=title, visibility="shared")
    body = {"content": "hello", "model": model}
    await stream(user, f"/api/conversations/{conversation}/messages", body)
    return conversation


def _listed(html: str) -> str:
    """The list itself (the sidebar shows conversations too)."""
    return html.split('id="conversation-list"', 1)[1].split("</ul>", 1)[0]


async def test_the_list_page_filters_by_model_and_author(
    alice: UserClient, bob: UserClient
) -> None:
    ws = await chat_workspace(alice)
    await bob.join(alice, ws, "member")
    by_alice = await _answered(alice, ws, "Alice on GPT", "openai/gpt-4o-mini")
    by_bob = await _answered(bob, ws, "Bob on Groq", "groq/llama-3.1-8b-instant")

    page = await alice.get(f"/w/{ws}/conversations")
    assert page.status_code == 200
    assert by_alice in _listed(page.text) and by_bob in _listed(page.text)
    assert '<option value="groq/llama-3.1-8b-instant">' in page.text

    by_model = await alice.get(f"/w/{ws}/conversations", params={"model": "openai/gpt-4o-mini"})
    assert by_alice in _listed(by_model.text) and by_bob not in _listed(by_model.text)

    by_author = await alice.get(f"/w/{ws}/conversations", params={"author": bob.id})
    assert by_bob in _listed(by_author.text) and by_alice not in _listed(by_author.text)
    assert (
        "No conversation matches."
        in (
            await alice.get(
                f"/w/{ws}/conversations", params={"author": bob.id, "model": "openai/gpt-4o-mini"}
            )
        ).text
    )
