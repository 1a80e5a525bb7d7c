"""The official ``openai`` SDK pointed at Switchboard's ``/v1``: it works as against OpenAI."""

from __future__ import annotations

import json

import openai
import pytest

from tests.integration.chat.conftest import KEYS
from tests.integration.compat.conftest import PNG_1X1, Gateway, usage_rows, workspace_token
from workspace.runtime import Runtime


def _client(gateway: Gateway, token: str | None = None, **headers: str) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(
        base_url=f"{gateway.base_url}/v1",
        api_key=token or gateway.token,
        default_headers=headers or None,
        max_retries=0,
    )


async def test_non_streamed_completion_from_any_provider(gateway: Gateway) -> None:
    client = _client(gateway)
    done = await client.chat.completions.create(
        model="anthropic/claude-sonnet-4-6",
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "hello there"},
        ],
        temperature=0.2,
        max_completion_tokens=200,
        user="script-1",
    )
    answer = done.choices[0].message.content or ""
    assert answer.startswith("[anthropic/claude-sonnet-4-6]")
    assert "system=yes" in answer and "last_user=hello there" in answer
    assert done.choices[0].finish_reason == "stop"
    assert done.model == "anthropic/claude-sonnet-4-6"
    assert done.usage is not None and done.usage.completion_tokens > 0


async def test_streamed_completion_with_usage(gateway: Gateway) -> None:
    client = _client(gateway)
    stream = await client.chat.completions.create(
        model="openai/gpt-4o",
        messages=[{"role": "user", "content": "stream please"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    text, finish, usage = "", None, None
    async for chunk in stream:
        if chunk.choices:
            text += chunk.choices[0].delta.content or ""
            finish = chunk.choices[0].finish_reason or finish
        if chunk.usage is not None:
            usage = chunk.usage
    assert text.startswith("[openai/gpt-4o]") and "last_user=stream please" in text
    assert finish == "stop"
    assert usage is not None and usage.prompt_tokens > 0 and usage.completion_tokens > 0


async def test_tool_round_trip(gateway: Gateway) -> None:
    client = _client(gateway)
    tools = [
        {
            "type": "function",
            "function": {
                "name": "lookup",
                "description": "Look something up.",
                "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
            },
        }
    ]
    asked = [{"role": "user", "content": "use the tool for otters"}]
    first = await client.chat.completions.create(
        model="anthropic/claude-sonnet-4-6", messages=asked, tools=tools
    )
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls"
    calls = choice.message.tool_calls or []
    assert [c.function.name for c in calls] == ["lookup"]
    assert json.loads(calls[0].function.arguments) == {"query": "use the tool for otters"}
    second = await client.chat.completions.create(
        model="anthropic/claude-sonnet-4-6",
        tools=tools,
        messages=[
            *asked,
            choice.message.model_dump(exclude_none=True),
            {"role": "tool", "tool_call_id": calls[0].id, "content": "Otters hold hands."},
        ],
    )
    assert "tool_result=Otters hold hands." in (second.choices[0].message.content or "")


async def test_an_image_reaches_the_model(gateway: Gateway) -> None:
    done = await _client(gateway).chat.completions.create(
        model="openai/gpt-4o",
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "what is this?"},
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_1X1}"}},
                ],
            }
        ],
    )
    assert "images=1" in (done.choices[0].message.content or "")


async def test_error_in_openai_format_with_our_code(gateway: Gateway) -> None:
    with pytest.raises(openai.UnprocessableEntityError) as caught:
        await _client(gateway).chat.completions.create(
            model="openai/no-such-model", messages=[{"role": "user", "content": "hi"}]
        )
    assert caught.value.code == "model_not_found"
    assert isinstance(caught.value.body, dict) and caught.value.body["type"]


async def test_unauthenticated_is_openai_401(gateway: Gateway) -> None:
    with pytest.raises(openai.AuthenticationError) as caught:
        await _client(gateway, "sb_not_a_real_token").models.list()
    assert caught.value.code == "not_authenticated"


async def test_models_lists_usable_models_with_who_pays(gateway: Gateway) -> None:
    models = [m async for m in _client(gateway).models.list()]
    ids = {m.id for m in models}
    assert "openai/gpt-4o" in ids and "anthropic/claude-sonnet-4-6" in ids
    assert {m.model_extra["key_source"] for m in models if m.model_extra} == {"workspace"}


async def test_models_scoped_token_lists_but_cannot_chat(gateway: Gateway) -> None:
    client = _client(gateway, await workspace_token(gateway.user, gateway.ws, "models"))
    assert [m async for m in client.models.list()]
    with pytest.raises(openai.PermissionDeniedError) as caught:
        await client.chat.completions.create(
            model="openai/gpt-4o", messages=[{"role": "user", "content": "hi"}]
        )
    assert caught.value.code == "token_scope"


async def test_account_token_is_refused_by_the_gateway(gateway: Gateway) -> None:
    account = await gateway.user.post("/api/tokens", json={"name": "account"})
    with pytest.raises(openai.PermissionDeniedError) as caught:
        await _client(gateway, account.json()["token"]).models.list()
    assert caught.value.code == "token_needs_workspace"


async def test_byok_calls_are_in_the_usage_ledger_at_zero_credits(
    gateway: Gateway, runtime: Runtime
) -> None:
    raw = await _client(gateway).chat.completions.with_raw_response.create(
        model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "count me"}]
    )
    assert raw.headers["x-switchboard-key-source"] == "workspace"
    rows = await usage_rows(runtime, gateway.ws)
    assert [(r["provider"], r["model"], r["key_source"], r["credits"]) for r in rows] == [
        ("openai", "gpt-4o-mini", "workspace", 0)
    ]


async def test_streamed_tool_call_with_a_per_request_key(
    gateway: Gateway, runtime: Runtime
) -> None:
    tool = {
        "type": "function",
        "function": {"name": "lookup", "parameters": {"type": "object", "properties": {}}},
    }
    stream = await _client(gateway).chat.completions.create(
        model="gemini/gemini-2.5-flash",
        messages=[{"role": "user", "content": "use a tool on moles"}],
        tools=[tool],  # type: ignore[list-item]
        stream=True,
        # The workspace has no Gemini key: this request brings its own, used once, never stored.
        extra_headers={"X-Provider": "gemini", "X-Provider-Key": KEYS["gemini"]},
    )
    name, arguments, finish = "", "", None
    async for chunk in stream:
        for call in chunk.choices[0].delta.tool_calls or () if chunk.choices else ():
            name += call.function.name or "" if call.function else ""
            arguments += call.function.arguments or "" if call.function else ""
        if chunk.choices and chunk.choices[0].finish_reason:
            finish = chunk.choices[0].finish_reason
    assert name == "lookup" and json.loads(arguments) == {"query": "use a tool on moles"}
    assert finish == "tool_calls"
    [row] = await usage_rows(runtime, gateway.ws)
    assert (row["provider"], row["key_source"], row["credits"]) == ("gemini", "request", 0)
