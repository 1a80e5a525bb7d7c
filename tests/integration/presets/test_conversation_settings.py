"""A conversation's system prompt and parameters reach every provider in its own wire format,
survive switching model, and an ignored parameter is said on the answer, never dropped silently."""

from __future__ import annotations

from typing import Any

import httpx

from tests.integration.chat.conftest import (
    chat_workspace,
    last_seq,
    new_conversation,
    one,
    sim_requests,
    stream,
)
from tests.support import UserClient

SETTINGS = {
    "system_prompt": "You are the release-notes writer. Answer in British English.",
    "temperature": 0.3,
    "top_p": 0.8,
    "max_output_tokens": 321,
}


async def _ask(alice: UserClient, sim: httpx.AsyncClient, c: str, model: str) -> tuple[Any, Any]:
    since = await last_seq(sim)
    events = await stream(
        alice, f"/api/conversations/{c}/messages", {"content": "What changed?", "model": model}
    )
    (request,) = await sim_requests(sim, since)
    return one(events, "message.start"), request["body"]


async def _configured(alice: UserClient) -> str:
    ws = await chat_workspace(alice)
    c = await new_conversation(alice, ws)
    resp = await alice.put(f"/api/conversations/{c}/settings", json=SETTINGS)
    assert resp.status_code == 200, resp.text
    assert resp.json() == SETTINGS
    return c


async def test_openai_and_groq_receive_system_prompt_and_every_parameter(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    c = await _configured(alice)
    for model in ("openai/gpt-4o", "groq/llama-3.3-70b-versatile"):
        start, body = await _ask(alice, sim, c, model)
        assert body["messages"][0] == {"role": "system", "content": SETTINGS["system_prompt"]}
        assert body["temperature"] == 0.3
        assert body["top_p"] == 0.8
        assert body["max_completion_tokens"] == 321
        assert "ignored_parameters" not in start


async def test_gemini_receives_system_instruction_and_generation_config(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    c = await _configured(alice)
    start, body = await _ask(alice, sim, c, "gemini/gemini-2.5-flash")
    system = body["systemInstruction"]["parts"][0]["text"]
    assert system == SETTINGS["system_prompt"]
    config = body["generationConfig"]
    assert (config["temperature"], config["topP"], config["maxOutputTokens"]) == (0.3, 0.8, 321)
    assert "ignored_parameters" not in start


async def test_anthropic_receives_system_and_max_tokens_and_the_answer_names_what_it_ignored(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    c = await _configured(alice)
    start, body = await _ask(alice, sim, c, "anthropic/claude-haiku-4-5")
    assert body["system"] == SETTINGS["system_prompt"]
    assert body["max_tokens"] == 321
    assert "temperature" not in body and "top_p" not in body
    assert start["ignored_parameters"] == ["temperature", "top_p"]
    detail = (await alice.get(f"/api/conversations/{c}")).json()
    (answer,) = [m for m in detail["messages"] if m["role"] == "assistant"]
    assert answer["ignored_parameters"] == ["temperature", "top_p"]


async def test_switching_model_keeps_the_settings(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    c = await _configured(alice)
    await _ask(alice, sim, c, "openai/gpt-4o")
    _, body = await _ask(alice, sim, c, "groq/llama-3.3-70b-versatile")
    roles = [m["role"] for m in body["messages"]]
    assert roles == ["system", "user", "assistant", "user"]
    assert body["messages"][0]["content"] == SETTINGS["system_prompt"]
    assert (body["temperature"], body["top_p"]) == (0.3, 0.8)


async def test_without_settings_nothing_extra_is_sent(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    ws = await chat_workspace(alice)
    c = await new_conversation(alice, ws)
    _, body = await _ask(alice, sim, c, "openai/gpt-4o")
    assert [m["role"] for m in body["messages"]] == ["user"]
    assert "temperature" not in body and "top_p" not in body


async def test_out_of_range_parameters_are_refused_with_a_stable_code(alice: UserClient) -> None:
    ws = await chat_workspace(alice)
    c = await new_conversation(alice, ws)
    for bad in ({"temperature": 2.5}, {"top_p": -0.1}, {"max_output_tokens": 0}, {"seed": 1}):
        resp = await alice.put(f"/api/conversations/{c}/settings", json=bad)
        assert resp.status_code in (400, 422), resp.text
        assert resp.json()["code"] == "validation_error"


async def test_another_members_private_conversation_settings_are_not_found(
    alice: UserClient, bob: UserClient
) -> None:
    ws = await chat_workspace(alice)
    await bob.join(alice, ws, "member")
    c = await new_conversation(alice, ws)
    assert (await bob.get(f"/api/conversations/{c}/settings")).status_code == 404
    assert (await bob.put(f"/api/conversations/{c}/settings", json={})).status_code == 404


async def test_a_replayed_anthropic_answer_still_names_what_it_ignored(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    c = await _configured(alice)
    body = {"content": "What changed?", "model": "anthropic/claude-haiku-4-5"}
    headers = {"Idempotency-Key": "settings-replay-1"}
    await stream(alice, f"/api/conversations/{c}/messages", body, headers)
    replayed = await stream(alice, f"/api/conversations/{c}/messages", body, headers)
    start = one(replayed, "message.start")
    assert start["replayed"] is True
    assert start["ignored_parameters"] == ["temperature", "top_p"]
