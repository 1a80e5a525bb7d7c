"""What a stored answer keeps so the page can say what happened after a reload: the adapter's
sentence when it failed, the fallback notice when the platform key stood in, and its cost."""

from __future__ import annotations

import httpx

from tests.integration.chat.conftest import (
    chat_workspace,
    failing_own_key_workspace,
    new_conversation,
    one,
    stream,
)
from tests.support import UserClient


async def _answer(alice: UserClient, conversation: str) -> dict[str, object]:
    detail = (await alice.get(f"/api/conversations/{conversation}")).json()
    answers = [m for m in detail["messages"] if m["role"] == "assistant"]
    assert len(answers) == 1
    return answers[0]  # type: ignore[no-any-return]


async def test_a_failed_answer_keeps_the_providers_sentence(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    ws = await chat_workspace(alice)
    conversation = await new_conversation(alice, ws)
    await sim.post("/_simulator/scenario", json={"model": "gpt-4o", "error": "overloaded"})
    events = await stream(
        alice,
        f"/api/conversations/{conversation}/messages",
        {"content": "hi", "model": "openai/gpt-4o"},
    )
    sentence = one(events, "error")["message"]
    answer = await _answer(alice, conversation)
    assert answer["status"] == "error"
    assert answer["error_message"] == sentence
    assert sentence and sentence != answer["error_code"]
    page = await alice.get(f"/w/{ws}/c/{conversation}")
    assert "This answer failed" in page.text


async def test_a_fallback_answer_says_so_and_costs_what_it_charged(
    alice: UserClient, platform_groq: None
) -> None:
    ws = await failing_own_key_workspace(alice)
    conversation = await new_conversation(alice, ws)
    events = await stream(
        alice,
        f"/api/conversations/{conversation}/messages",
        {"content": "hello", "model": "groq/llama-3.3-70b-versatile"},
    )
    end = one(events, "message.end")
    answer = await _answer(alice, conversation)
    assert answer["fallback_from"] == "workspace"
    assert answer["key_source"] == "platform"
    assert answer["credits"] == end["credits"] > 0
    assert answer["cost_usd_micros"] == end["cost_usd_micros"] > 0
    page = await alice.get(f"/w/{ws}/c/{conversation}")
    assert "the platform key answered" in page.text


async def test_an_answer_with_nul_bytes_is_still_saved(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    ws = await chat_workspace(alice)
    conversation = await new_conversation(alice, ws)
    await sim.post("/_simulator/scenario", json={"model": "gpt-4o", "reply": "nul\x00inside"})
    events = await stream(
        alice,
        f"/api/conversations/{conversation}/messages",
        {"content": "hi", "model": "openai/gpt-4o"},
    )
    assert one(events, "message.end")["status"] == "complete"
    answer = await _answer(alice, conversation)
    assert answer["status"] == "complete"
    assert answer["text"] == "nul\ufffdinside"
