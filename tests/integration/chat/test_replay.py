"""A retried request (same Idempotency-Key) replays the events the first one streamed: the same
events with the same fields, the text in one ``delta``, each marked ``replayed``."""

from __future__ import annotations

from typing import Any

import httpx

from tests.integration.chat.conftest import (
    Event,
    chat_workspace,
    failing_own_key_workspace,
    new_conversation,
    stream,
)
from tests.support import UserClient


def _as_replayed(events: list[Event], lane: int | None = None) -> list[tuple[str, dict[str, Any]]]:
    """One lane's events with its deltas joined into one, without the ``replayed`` mark."""
    out: list[tuple[str, dict[str, Any]]] = []
    for e in events:
        if e.data.get("lane") != lane:
            continue
        data = {k: v for k, v in e.data.items() if k != "replayed"}
        if e.event == "delta" and out and out[-1][0] == "delta":
            out[-1][1]["text"] += data["text"]
        else:
            out.append((e.event, data))
    return out


async def _live_and_replayed(
    alice: UserClient, path: str, body: dict[str, Any], key: str
) -> tuple[list[Event], list[Event]]:
    headers = {"Idempotency-Key": key}
    live = await stream(alice, path, body, headers)
    replayed = await stream(alice, path, body, headers)
    assert replayed and all(e.data["replayed"] is True for e in replayed)
    return live, replayed


async def test_replay_of_an_answer_repeats_its_live_events(alice: UserClient) -> None:
    ws = await chat_workspace(alice)
    conversation = await new_conversation(alice, ws)
    path = f"/api/conversations/{conversation}/messages"
    body = {"content": "replay me", "model": "openai/gpt-4o"}

    live, replayed = await _live_and_replayed(alice, path, body, "replay-answer-0001")

    assert [e for e, _ in _as_replayed(live)] == ["message.start", "delta", "usage", "message.end"]
    assert _as_replayed(replayed) == _as_replayed(live)


async def test_replay_of_a_fallback_answer_names_the_key_it_started_on(
    alice: UserClient, platform_groq: None
) -> None:
    ws = await failing_own_key_workspace(alice)
    conversation = await new_conversation(alice, ws)
    path = f"/api/conversations/{conversation}/messages"
    body = {"content": "hello", "model": "groq/llama-3.3-70b-versatile"}

    live, replayed = await _live_and_replayed(alice, path, body, "replay-fallback-0001")

    assert [e for e, _ in _as_replayed(live)][:2] == ["message.start", "fallback"]
    assert _as_replayed(replayed) == _as_replayed(live)


async def test_replay_of_an_answer_without_own_key_says_credits_pay(
    alice: UserClient, platform_groq: None
) -> None:
    ws = await alice.create_workspace()
    conversation = await new_conversation(alice, ws)
    path = f"/api/conversations/{conversation}/messages"
    body = {"content": "hello", "model": "groq/llama-3.3-70b-versatile"}

    live, replayed = await _live_and_replayed(alice, path, body, "replay-no-own-key-0001")

    assert _as_replayed(live)[1] == (
        "fallback",
        {"from_source": "none", "key_source": "platform", "reason": "no_own_key"},
    )
    assert _as_replayed(replayed) == _as_replayed(live)


async def test_replay_of_a_failed_answer_repeats_its_error(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    ws = await chat_workspace(alice)
    conversation = await new_conversation(alice, ws)
    await sim.post("/_simulator/scenario", json={"model": "gpt-4o", "error": "overloaded"})
    path = f"/api/conversations/{conversation}/messages"
    body = {"content": "fail once", "model": "openai/gpt-4o"}

    live, replayed = await _live_and_replayed(alice, path, body, "replay-error-0001")

    assert "error" in [e for e, _ in _as_replayed(live)]
    assert _as_replayed(replayed) == _as_replayed(live)


async def test_replay_of_a_compare_repeats_every_lane(alice: UserClient) -> None:
    ws = await chat_workspace(alice)
    conversation = await new_conversation(alice, ws)
    path = f"/api/conversations/{conversation}/compare"
    body = {"content": "compare", "models": ["openai/gpt-4o", "anthropic/claude-sonnet-4-6"]}

    live, replayed = await _live_and_replayed(alice, path, body, "replay-compare-0001")

    for lane in (0, 1):
        assert _as_replayed(replayed, lane) == _as_replayed(live, lane)
