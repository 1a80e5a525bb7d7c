"""Anthropic Messages routes exercised through the official SDK."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest
from anthropic import AsyncAnthropic

from adapters.anthropic.provider import AnthropicProvider
from adapters.simulator.server import RunningSimulator
from tests.simulator.sim_helpers import HTTP, logged, set_scenario

TOOLS = [{"name": "lookup", "description": "find", "input_schema": {"type": "object"}}]


_CLIENTS: dict[tuple[str, str], AsyncAnthropic] = {}


def client(sim: RunningSimulator, key: str = "sk-ant-test") -> AsyncAnthropic:
    """A cached SDK client (building one costs tens of milliseconds)."""
    cache_key = (sim.url, key)
    if cache_key not in _CLIENTS:
        _CLIENTS[cache_key] = AsyncAnthropic(base_url=sim.url, api_key=key, max_retries=0)
    return _CLIENTS[cache_key]


async def test_stream_events_in_order(sim: RunningSimulator) -> None:
    events: list[str] = []
    async with client(sim).messages.stream(
        model="claude-sonnet-4-6",
        max_tokens=200,
        system="be terse",
        messages=[
            {"role": "user", "content": "one"},
            {"role": "assistant", "content": "two"},
            {"role": "user", "content": "three"},
        ],
    ) as stream:
        async for event in stream:
            events.append(event.type)
        message = await stream.get_final_message()
    assert events[0] == "message_start"
    assert events[-1] == "message_stop"
    assert "content_block_start" in events
    assert "content_block_stop" in events
    assert "message_delta" in events
    assert message.stop_reason == "end_turn"
    assert message.content[0].type == "text"
    assert message.content[0].text == (
        "[anthropic/claude-sonnet-4-6] messages=3 roles=user,assistant,user system=yes "
        "images=0 last_user=three"
    )
    assert message.usage.output_tokens == -(-len(message.content[0].text) // 4)


async def test_tool_use_round_trip(sim: RunningSimulator) -> None:
    first = await client(sim).messages.create(
        model="claude-haiku-4-5",
        max_tokens=100,
        tools=TOOLS,  # type: ignore[arg-type]
        messages=[{"role": "user", "content": "use a tool please"}],
    )
    assert first.stop_reason == "tool_use"
    block = first.content[0]
    assert block.type == "tool_use"
    assert block.name == "lookup"
    assert block.input == {"query": "use a tool please"}
    block_json: Any = block.model_dump()
    second_events: list[str] = []
    async with client(sim).messages.stream(
        model="claude-haiku-4-5",
        max_tokens=100,
        tools=TOOLS,  # type: ignore[arg-type]
        messages=[
            {"role": "user", "content": "use a tool please"},
            {"role": "assistant", "content": [block_json]},
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": block.id, "content": "sunny"}],
            },
        ],
    ) as stream:
        async for event in stream:
            second_events.append(event.type)
        final = await stream.get_final_message()
    assert final.stop_reason == "end_turn"
    assert final.content[0].type == "text"
    assert "roles=user,assistant,tool" in final.content[0].text
    assert "tool_result=sunny" in final.content[0].text


async def test_streamed_tool_use_and_thinking(sim: RunningSimulator) -> None:
    async with client(sim).messages.stream(
        model="claude-sonnet-4-6",
        max_tokens=4000,
        thinking={"type": "enabled", "budget_tokens": 1024},
        tools=TOOLS,  # type: ignore[arg-type]
        messages=[{"role": "user", "content": "call the tool"}],
    ) as stream:
        deltas = [e.delta.type async for e in stream if e.type == "content_block_delta"]
        final = await stream.get_final_message()
    assert "thinking_delta" in deltas
    assert "input_json_delta" in deltas
    assert [b.type for b in final.content] == ["thinking", "tool_use"]
    assert final.content[0].type == "thinking"
    assert final.content[0].signature
    assert final.content[1].type == "tool_use"
    assert final.content[1].input == {"query": "call the tool"}


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        (
            {"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]},
            "alternate",
        ),
        ({"messages": [{"role": "assistant", "content": "a"}]}, "first message"),
        ({"messages": [{"role": "system", "content": "a"}]}, "system"),
        (
            {
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {"type": "tool_result", "tool_use_id": "toolu_x", "content": "x"}
                        ],
                    }
                ]
            },
            "tool_use_id",
        ),
        (
            {
                "messages": [
                    {"role": "user", "content": "a"},
                    {"role": "assistant", "content": [{"type": "thinking", "thinking": "hm"}]},
                    {"role": "user", "content": "b"},
                ]
            },
            "signature",
        ),
    ],
)
async def test_strict_validation(
    sim: RunningSimulator, kwargs: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        await client(sim).messages.create(model="claude-sonnet-4-6", max_tokens=10, **kwargs)
    assert fragment in str(info.value)
    assert info.value.request_id


async def test_max_tokens_is_required(sim: RunningSimulator) -> None:

    response = HTTP.post(
        f"{sim.url}/v1/messages",
        headers={"x-api-key": "k", "anthropic-version": "2023-06-01"},
        json={"model": "claude-sonnet-4-6", "messages": [{"role": "user", "content": "a"}]},
    )
    assert response.status_code == 400
    assert response.json() == {
        "type": "error",
        "error": {"type": "invalid_request_error", "message": "max_tokens: Field required"},
    }
    assert response.headers["request-id"]


async def test_overloaded_scenario_is_529(sim: RunningSimulator) -> None:
    set_scenario(sim, model="claude-sonnet-4-6", error="overloaded")
    with pytest.raises(anthropic.APIStatusError) as info:
        await client(sim).messages.create(
            model="claude-sonnet-4-6", max_tokens=10, messages=[{"role": "user", "content": "a"}]
        )
    assert info.value.status_code == 529
    assert isinstance(info.value, anthropic.InternalServerError)
    body = info.value.body
    assert isinstance(body, dict)
    assert body["error"]["type"] == "overloaded_error"
    # another model is unaffected
    ok = await client(sim).messages.create(
        model="claude-haiku-4-5", max_tokens=50, messages=[{"role": "user", "content": "a"}]
    )
    assert ok.stop_reason in ("end_turn", "max_tokens")


@pytest.mark.parametrize(
    ("key", "error", "status"),
    [
        ("sk-ant-invalid", anthropic.AuthenticationError, 401),
        ("sk-ant-ratelimit", anthropic.RateLimitError, 429),
        ("sk-ant-quota", anthropic.BadRequestError, 400),
    ],
)
async def test_key_faults(
    sim: RunningSimulator, key: str, error: type[anthropic.APIStatusError], status: int
) -> None:
    with pytest.raises(error) as info:
        await client(sim, key).messages.create(
            model="claude-sonnet-4-6", max_tokens=10, messages=[{"role": "user", "content": "a"}]
        )
    assert info.value.status_code == status
    if status == 400:
        assert "credit balance is too low" in str(info.value)


async def test_oauth_bearer_needs_issued_token(sim: RunningSimulator) -> None:
    headers = {"anthropic-beta": "oauth-2025-04-20"}
    stranger = AsyncAnthropic(
        base_url=sim.url, auth_token="made-up", default_headers=headers, max_retries=0
    )
    with pytest.raises(anthropic.AuthenticationError):
        await stranger.messages.create(
            model="claude-sonnet-4-6", max_tokens=10, messages=[{"role": "user", "content": "a"}]
        )
    static = AsyncAnthropic(
        base_url=sim.url, auth_token="sim-ok-claude", default_headers=headers, max_retries=0
    )
    ok = await static.messages.create(
        model="claude-sonnet-4-6", max_tokens=50, messages=[{"role": "user", "content": "a"}]
    )
    assert ok.content
    entries = logged(sim)["requests"]
    assert all("authorization" not in e["headers"] for e in entries)


async def test_image_block_and_models_listing(sim: RunningSimulator) -> None:
    png = (
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJ"
        "RU5ErkJggg=="
    )
    content: Any = [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": png}},
        {"type": "text", "text": "describe"},
    ]
    reply = await client(sim).messages.create(
        model="claude-sonnet-4-6", max_tokens=100, messages=[{"role": "user", "content": content}]
    )
    assert reply.content[0].type == "text"
    assert "images=1" in reply.content[0].text
    ids = [m.id async for m in client(sim).models.list()]
    assert ids == [m.id for m in AnthropicProvider().models()]


async def test_prompt_too_long(sim: RunningSimulator) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        await client(sim).messages.create(
            model="claude-haiku-4-5",
            max_tokens=10,
            messages=[{"role": "user", "content": "x" * 800_004}],
        )
    assert "prompt is too long" in str(info.value)
