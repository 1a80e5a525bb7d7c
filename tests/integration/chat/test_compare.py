"""Compare: lanes stream independently, answers are siblings, a lane can be continued."""

from __future__ import annotations

import httpx

from tests.integration.chat.conftest import (
    chat_workspace,
    last_seq,
    new_conversation,
    one,
    sim_requests,
    stream,
    text_of,
)
from tests.support import UserClient

FOUR = [
    "openai/gpt-4o",
    "anthropic/claude-sonnet-4-6",
    "gemini/gemini-2.5-flash",  # fails
    "groq/llama-3.3-70b-versatile",  # slow
]


async def test_failing_and_slow_lanes_do_not_hold_up_the_others(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    ws = await chat_workspace(alice)
    c = await new_conversation(alice, ws)
    await sim.post(
        "/_simulator/scenario", json={"model": "gemini-2.5-flash", "error": "invalid_key"}
    )
    await sim.post(
        "/_simulator/scenario", json={"model": "llama-3.3-70b-versatile", "ttft_ms": 1500}
    )

    events = await stream(
        alice, f"/api/conversations/{c}/compare", {"content": "which is best?", "models": FOUR}
    )

    ends = [e.data for e in events if e.event == "message.end"]
    assert [e["lane"] for e in ends][-1] == 3, "the slow lane ends last"
    assert {e["lane"]: e["status"] for e in ends} == {
        0: "complete",
        1: "complete",
        2: "error",
        3: "complete",
    }
    assert one(events, "error", lane=2)["code"] == "invalid_credentials"
    for lane in (0, 1, 3):
        assert "last_user=which is best?" in text_of(events, lane)
    # The others had finished long before the slow lane's first token.
    first_slow_delta = next(
        i for i, e in enumerate(events) if e.event == "delta" and e.data["lane"] == 3
    )
    assert all(
        events.index(e) < first_slow_delta
        for e in events
        if e.event == "message.end" and e.data["lane"] != 3
    )

    detail = (await alice.get(f"/api/conversations/{c}")).json()
    user = next(m for m in detail["messages"] if m["role"] == "user")
    answers = [m for m in detail["messages"] if m["role"] == "assistant"]
    assert sorted(m["lane"] for m in answers) == [0, 1, 2, 3]
    assert {m["parent_id"] for m in answers} == {user["id"]}


async def test_continuing_a_lane_sends_only_that_answer(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    ws = await chat_workspace(alice)
    c = await new_conversation(alice, ws)
    first = await stream(
        alice, f"/api/conversations/{c}/messages", {"content": "hello", "model": "openai/gpt-4o"}
    )
    events = await stream(
        alice,
        f"/api/conversations/{c}/compare",
        {
            "content": "compare me",
            "models": [
                "openai/gpt-4o-mini",
                "anthropic/claude-haiku-4-5",
                "groq/llama-3.3-70b-versatile",
            ],
        },
    )
    compare_id = one(events, "message.start", lane=1)["compare_id"]
    chosen = text_of(events, 1)
    others = [text_of(events, lane) for lane in (0, 2)]

    blocked = await alice.post(
        f"/api/conversations/{c}/messages", json={"content": "next", "model": "openai/gpt-4o"}
    )
    assert blocked.status_code == 409
    assert blocked.json()["code"] == "answer_pending"

    resp = await alice.post(f"/api/compare/{compare_id}/continue", json={"lane": 1})
    assert resp.status_code == 201, resp.text
    since = await last_seq(sim)
    events = await stream(
        alice, f"/api/conversations/{c}/messages", {"content": "go on", "model": "openai/gpt-4o"}
    )
    assert "messages=5 " in text_of(events)
    (request,) = await sim_requests(sim, since)
    sent = [m["content"] for m in request["body"]["messages"] if m["role"] == "assistant"]
    assert sent == [text_of(first), chosen]
    assert not set(others) & set(sent)


async def test_lane_count_outside_the_limit_is_refused(alice: UserClient) -> None:
    ws = await chat_workspace(alice)
    c = await new_conversation(alice, ws)
    for models in (["openai/gpt-4o"], ["openai/gpt-4o"] * 7):
        resp = await alice.post(
            f"/api/conversations/{c}/compare", json={"content": "x", "models": models}
        )
        assert resp.status_code == 422
        assert resp.json()["code"] == "compare_model_count"


async def test_blind_compare_hides_models_until_the_vote(alice: UserClient) -> None:
    ws = await chat_workspace(alice)
    c = await new_conversation(alice, ws)
    models = ["openai/gpt-4o", "anthropic/claude-sonnet-4-6"]
    events = await stream(
        alice,
        f"/api/conversations/{c}/compare",
        {"content": "blind test", "models": models, "blind": True},
    )
    starts = [e.data for e in events if e.event == "message.start"]
    assert {s["model"] for s in starts} == {None}
    compare_id = starts[0]["compare_id"]
    hidden = (await alice.get(f"/api/compare/{compare_id}")).json()
    assert [lane["model"] for lane in hidden["lanes"]] == [None, None]
    detail = (await alice.get(f"/api/conversations/{c}")).json()
    assert {m["model"] for m in detail["messages"]} == {None}

    voted = await alice.post(f"/api/compare/{compare_id}/vote", json={"winner": 1})
    assert voted.status_code == 201, voted.text
    assert [lane["model"] for lane in voted.json()["lanes"]] == models
    again = await alice.post(f"/api/compare/{compare_id}/vote", json={"winner": "tie"})
    assert again.status_code == 409

    board = (await alice.get(f"/api/workspaces/{ws}/leaderboard")).json()
    assert [row["model"] for row in board] == ["anthropic/claude-sonnet-4-6", "openai/gpt-4o"]
    assert board[0]["wins"] == 1
    assert board[0]["rating"] > 1000 > board[1]["rating"]


async def test_a_refused_lane_is_its_own_error_and_the_others_answer(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    """Every lane's checks run in the request, before the stream: a lane with no usable key is
    refused on its own (an ``error`` and an error answer); the others are sent and answer."""
    ws = await alice.create_workspace("Only OpenAI")
    added = await alice.post(
        f"/api/workspaces/{ws}/credentials",
        json={"provider": "openai", "secret": "sk-sim-compare-0000000001"},
    )
    assert added.status_code == 201, added.text
    c = await new_conversation(alice, ws)
    models = ["openai/gpt-4o", "anthropic/claude-sonnet-4-6", "openai/gpt-4o-mini"]
    before = await last_seq(sim)

    events = await stream(
        alice, f"/api/conversations/{c}/compare", {"content": "hi", "models": models}
    )

    ends = {e.data["lane"]: e.data["status"] for e in events if e.event == "message.end"}
    assert ends == {0: "complete", 1: "error", 2: "complete"}
    refusal = one(events, "error", lane=1)
    assert refusal["code"]
    sent = [r["model"] for r in await sim_requests(sim, before)]
    assert sorted(sent) == ["gpt-4o", "gpt-4o-mini"], "the refused lane sends nothing"
    detail = (await alice.get(f"/api/conversations/{c}")).json()
    answers = {m["lane"]: m for m in detail["messages"] if m["role"] == "assistant"}
    assert answers[1]["status"] == "error" and answers[1]["error_code"] == refusal["code"]
    assert answers[0]["status"] == answers[2]["status"] == "complete"
