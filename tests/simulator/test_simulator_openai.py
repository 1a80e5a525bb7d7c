"""OpenAI-protocol routes (OpenAI, Groq, Qwen, compat) exercised through the official SDK."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from openai import AsyncOpenAI

from adapters.simulator.server import RunningSimulator
from tests.simulator.sim_helpers import logged, set_scenario

TINY_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5E"
    "rkJggg=="
)


_CLIENTS: dict[tuple[str, str], AsyncOpenAI] = {}


def client(sim: RunningSimulator, prefix: str = "/v1", key: str = "sk-test") -> AsyncOpenAI:
    """A cached SDK client (building one costs tens of milliseconds)."""
    base_url = f"{sim.url}{prefix}"
    if (base_url, key) not in _CLIENTS:
        _CLIENTS[(base_url, key)] = AsyncOpenAI(base_url=base_url, api_key=key, max_retries=0)
    return _CLIENTS[(base_url, key)]


async def test_stream_with_usage_describes_context(sim: RunningSimulator) -> None:
    stream = await client(sim).chat.completions.create(
        model="gpt-4o",
        messages=[
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": "first"},
            {"role": "assistant", "content": "ok"},
            {"role": "user", "content": "second question"},
        ],
        stream=True,
        stream_options={"include_usage": True},
    )
    pieces: list[str] = []
    finish = None
    usage = None
    async for chunk in stream:
        if chunk.choices:
            pieces.append(chunk.choices[0].delta.content or "")
            finish = chunk.choices[0].finish_reason or finish
        else:
            usage = chunk.usage
    text = "".join(pieces)
    assert text == (
        "[openai/gpt-4o] messages=3 roles=user,assistant,user system=yes images=0 "
        "last_user=second question"
    )
    assert len([p for p in pieces if p]) == 8
    assert finish == "stop"
    assert usage is not None
    assert usage.completion_tokens == -(-len(text) // 4)
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


async def test_non_stream_and_length_finish(sim: RunningSimulator) -> None:
    result = await client(sim).chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], max_tokens=3
    )
    assert result.choices[0].finish_reason == "length"
    assert result.choices[0].message.content == "[openai/gpt-4o-mini] "[:12]


async def test_groq_prefix_and_models(sim: RunningSimulator) -> None:
    groq = client(sim, "/openai/v1", "gsk-test")
    models = [m.id async for m in groq.models.list()]
    assert "llama-3.3-70b-versatile" in models
    result = await groq.chat.completions.create(
        model="llama-3.3-70b-versatile", messages=[{"role": "user", "content": "hey"}]
    )
    assert result.choices[0].message.content is not None
    assert result.choices[0].message.content.startswith("[groq/llama-3.3-70b-versatile]")
    with pytest.raises(openai.NotFoundError) as info:
        await groq.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "hey"}]
        )
    assert info.value.code == "model_not_found"


async def test_tool_call_round_trip_streamed(sim: RunningSimulator) -> None:
    tools: Any = [{"type": "function", "function": {"name": "search", "parameters": {}}}]
    messages: Any = [{"role": "user", "content": "Please use the TOOL"}]
    stream = await client(sim).chat.completions.create(
        model="gpt-4o", messages=messages, tools=tools, stream=True
    )
    call_id = name = ""
    arguments = ""
    finish = None
    async for chunk in stream:
        choice = chunk.choices[0]
        finish = choice.finish_reason or finish
        for call in choice.delta.tool_calls or []:
            assert call.index == 0
            call_id = call.id or call_id
            if call.function and call.function.name:
                name = call.function.name
            arguments += (call.function.arguments or "") if call.function else ""
    assert finish == "tool_calls"
    assert name == "search"
    assert json.loads(arguments) == {"query": "Please use the TOOL"}
    follow = await client(sim).chat.completions.create(
        model="gpt-4o",
        tools=tools,
        messages=[
            *messages,
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": call_id,
                        "type": "function",
                        "function": {"name": name, "arguments": arguments},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": call_id, "content": "42 results"},
        ],
    )
    assert follow.choices[0].finish_reason == "stop"
    content = follow.choices[0].message.content or ""
    assert "roles=user,assistant,tool" in content
    assert "tool_result=42 results" in content


async def test_image_data_url_accepted_and_bad_one_refused(sim: RunningSimulator) -> None:
    ok = await client(sim).chat.completions.create(
        model="gpt-4o",
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "what is this"},
                    {
                        "type": "image_url",
                        "image_url": {"url": f"data:image/png;base64,{TINY_PNG}"},
                    },
                ],
            }
        ],
    )
    assert "images=1" in (ok.choices[0].message.content or "")
    with pytest.raises(openai.BadRequestError):
        await client(sim).chat.completions.create(
            model="gpt-4o",
            messages=[
                {
                    "role": "user",
                    "content": [{"type": "image_url", "image_url": {"url": "data:text/plain,x"}}],
                }
            ],
        )


@pytest.mark.parametrize(
    "messages",
    [
        [],
        [{"role": "wizard", "content": "x"}],
        [{"role": "tool", "tool_call_id": "call_1", "content": "orphan"}],
        [
            {"role": "user", "content": "x"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "f", "arguments": "{}"},
                    }
                ],
            },
            {"role": "user", "content": "skipped the tool answer"},
        ],
        [{"role": "user", "content": [{"type": "video", "video": "x"}]}],
    ],
)
async def test_strict_validation(sim: RunningSimulator, messages: list[dict[str, object]]) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        await client(sim).chat.completions.create(model="gpt-4o", messages=messages)  # type: ignore[arg-type]
    assert info.value.status_code == 400
    assert info.value.request_id


async def test_context_length_exceeded(sim: RunningSimulator) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        await client(sim, "/compat/v1").chat.completions.create(
            model="local-model", messages=[{"role": "user", "content": "x" * 20_000}]
        )
    assert info.value.code == "context_length_exceeded"


@pytest.mark.parametrize(
    ("key", "error", "status", "code"),
    [
        ("sk-invalid", openai.AuthenticationError, 401, "invalid_api_key"),
        ("sk-ratelimit", openai.RateLimitError, 429, "rate_limit_exceeded"),
        ("sk-quota", openai.RateLimitError, 429, "insufficient_quota"),
    ],
)
async def test_key_faults(
    sim: RunningSimulator, key: str, error: type[openai.APIStatusError], status: int, code: str
) -> None:
    with pytest.raises(error) as info:
        await client(sim, key=key).chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "x"}]
        )
    assert info.value.status_code == status
    assert info.value.code == code
    if code == "rate_limit_exceeded":
        assert info.value.response.headers["retry-after"] == "1"
    else:
        assert "retry-after" not in info.value.response.headers


async def test_qwen_quota_is_403_and_needs_issued_token(sim: RunningSimulator) -> None:
    qwen = client(sim, "/qwen/v1", "not-issued-token")
    with pytest.raises(openai.AuthenticationError):
        await qwen.chat.completions.create(
            model="coder-model", messages=[{"role": "user", "content": "x"}]
        )
    with pytest.raises(openai.PermissionDeniedError) as info:
        await client(sim, "/qwen/v1", "sim-ok-quota").chat.completions.create(
            model="coder-model", messages=[{"role": "user", "content": "x"}]
        )
    assert info.value.code == "insufficient_quota"


async def test_overloaded_scenario_is_503(sim: RunningSimulator) -> None:
    set_scenario(sim, model="gpt-4o", error="overloaded")
    with pytest.raises(openai.InternalServerError) as info:
        await client(sim).chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "x"}]
        )
    assert info.value.status_code == 503
    entry = logged(sim)["requests"][-1]
    assert entry["status"] == 503
    assert entry["model"] == "gpt-4o"


async def test_malformed_scenario_breaks_the_stream(sim: RunningSimulator) -> None:
    set_scenario(sim, model="*", error="malformed")
    stream = await client(sim).chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "x"}], stream=True
    )
    with pytest.raises(json.JSONDecodeError):
        async for _ in stream:
            pass


async def test_retrieve_model(sim: RunningSimulator) -> None:
    model = await client(sim).models.retrieve("gpt-4.1")
    assert model.id == "gpt-4.1"
    with pytest.raises(openai.NotFoundError):
        await client(sim).models.retrieve("gpt-nope")
