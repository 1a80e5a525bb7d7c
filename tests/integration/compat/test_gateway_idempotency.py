"""``Idempotency-Key`` on the gateway: a retry with the same key and body replays the first
answer (one call at the provider, one charge, the same answer), in either API's format and
streamed or whole; another body under the key is refused (422, as on the chat route); a key
sent without a conversation header records the exchange, so its answer survives for the retry."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import anthropic
import httpx
import openai
import pytest
import sqlalchemy as sa

from tests.integration.compat.conftest import Gateway, usage_rows, workspace_token
from tests.support import Stack, UserClient
from workspace.runtime import Runtime

HI = [{"role": "user", "content": "hi once"}]


@pytest.fixture
async def slow_gpt4o(stack: Stack) -> AsyncIterator[None]:
    """The simulator's gpt-4o waits 1.5 s before its first token (reset afterwards)."""
    assert stack.simulator_url is not None
    async with httpx.AsyncClient(base_url=stack.simulator_url, timeout=30) as sim:
        await sim.post("/_simulator/scenario", json={"model": "gpt-4o", "ttft_ms": 1500})
        yield
        await sim.delete("/_simulator/scenario")


def _openai(gateway: Gateway) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(
        base_url=f"{gateway.base_url}/v1", api_key=gateway.token, max_retries=0
    )


async def _charged(runtime: Runtime, ws: str) -> int:
    async with runtime.sessionmaker() as session:
        charged = await session.execute(
            sa.text(
                "SELECT coalesce(-sum(amount), 0) FROM credit_ledger "
                "WHERE workspace_id = :ws AND kind IN ('hold', 'settle')"
            ),
            {"ws": uuid.UUID(ws)},
        )
        return int(charged.scalar_one())


async def test_a_retried_platform_call_is_charged_once_and_answers_the_same(
    alice: UserClient, runtime: Runtime, platform_openai: None, stack: Stack
) -> None:
    ws = await alice.create_workspace("Idempotent")  # no key of its own: the platform pays
    gateway = Gateway(ws, await workspace_token(alice, ws), stack.url, alice)
    key = {"Idempotency-Key": f"retry-{uuid.uuid4()}"}
    client = _openai(gateway)
    first = await client.chat.completions.with_raw_response.create(
        model="openai/gpt-4o-mini", messages=HI, extra_headers=key
    )
    charged = await _charged(runtime, ws)
    again = await client.chat.completions.with_raw_response.create(
        model="openai/gpt-4o-mini", messages=HI, extra_headers=key
    )
    one, two = first.parse(), again.parse()
    assert two.choices[0].message.content == one.choices[0].message.content
    assert two.usage is not None and one.usage is not None
    assert two.usage.completion_tokens == one.usage.completion_tokens
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["x-switchboard-answer-status"] == "complete"
    assert "idempotent-replayed" not in first.headers
    assert again.headers["x-switchboard-key-source"] == "platform"
    # Recorded so the answer survives for the retry; both name the same conversation.
    conversation = first.headers["x-switchboard-conversation"]
    assert again.headers["x-switchboard-conversation"] == conversation
    rows = await usage_rows(runtime, ws)
    assert len(rows) == 1 and int(str(rows[0]["credits"])) > 0
    assert await _charged(runtime, ws) == charged == int(str(rows[0]["credits"]))


async def test_a_streamed_retry_replays_the_answer_as_a_stream(
    gateway: Gateway, runtime: Runtime
) -> None:
    key = {"Idempotency-Key": f"stream-{uuid.uuid4()}"}
    client = _openai(gateway)
    texts = []
    for _ in range(2):
        stream = await client.chat.completions.create(
            model="openai/gpt-4o",
            messages=HI,
            stream=True,
            stream_options={"include_usage": True},
            extra_headers=key,
        )
        text, finish, usage = "", None, None
        async for chunk in stream:
            if chunk.choices:
                text += chunk.choices[0].delta.content or ""
                finish = chunk.choices[0].finish_reason or finish
            usage = chunk.usage or usage
        assert finish == "stop" and usage is not None and usage.completion_tokens > 0
        texts.append(text)
    assert texts[0] and texts[0] == texts[1]
    assert len(await usage_rows(runtime, gateway.ws)) == 1


async def test_anthropic_format_replays_tool_calls(gateway: Gateway, runtime: Runtime) -> None:
    client = anthropic.AsyncAnthropic(
        base_url=gateway.base_url, api_key=gateway.token, max_retries=0
    )
    tools = [
        {
            "name": "lookup",
            "description": "Look something up.",
            "input_schema": {"type": "object", "properties": {"query": {"type": "string"}}},
        }
    ]
    key = {"Idempotency-Key": f"tools-{uuid.uuid4()}"}
    answers = [
        await client.messages.create(
            model="anthropic/claude-sonnet-4-6",
            max_tokens=200,
            messages=[{"role": "user", "content": "use the tool for otters"}],
            tools=tools,  # type: ignore[arg-type]
            extra_headers=key,
        )
        for _ in range(2)
    ]
    blocks = [
        [(b.type, getattr(b, "name", None), getattr(b, "input", None)) for b in a.content]
        for a in answers
    ]
    assert ("tool_use", "lookup", {"query": "use the tool for otters"}) in blocks[0]
    assert blocks[0] == blocks[1]
    assert answers[1].stop_reason == answers[0].stop_reason == "tool_use"
    assert len(await usage_rows(runtime, gateway.ws)) == 1


async def test_another_body_under_the_same_key_is_refused(gateway: Gateway) -> None:
    key = {"Idempotency-Key": f"reuse-{uuid.uuid4()}"}
    client = _openai(gateway)
    await client.chat.completions.create(model="openai/gpt-4o", messages=HI, extra_headers=key)
    with pytest.raises(openai.UnprocessableEntityError) as caught:  # as chat's: 422
        await client.chat.completions.create(
            model="openai/gpt-4o",
            messages=[{"role": "user", "content": "something else"}],
            extra_headers=key,
        )
    assert caught.value.code == "idempotency_key_reused"


async def test_a_refused_request_leaves_the_key_free(gateway: Gateway) -> None:
    """A refusal before the answer (unknown model) rolls the claim back: no replay of it."""
    key = {"Idempotency-Key": f"refused-{uuid.uuid4()}"}
    client = _openai(gateway)
    for _ in range(2):
        with pytest.raises(openai.UnprocessableEntityError) as caught:
            await client.chat.completions.create(
                model="openai/no-such-model", messages=HI, extra_headers=key
            )
        assert caught.value.code == "model_not_found"


async def test_a_bad_key_is_refused_in_the_apis_envelope(gateway: Gateway) -> None:
    async with httpx.AsyncClient(base_url=gateway.base_url, timeout=30) as http:
        resp = await http.post(
            "/v1/chat/completions",
            json={"model": "openai/gpt-4o", "messages": HI},
            headers={"Authorization": f"Bearer {gateway.token}", "Idempotency-Key": "x" * 1000},
        )
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "invalid_idempotency_key"


async def test_a_retry_while_the_first_runs_waits_then_replays(
    gateway: Gateway,
    runtime: Runtime,
    slow_gpt4o: None,
) -> None:
    key = {"Idempotency-Key": f"running-{uuid.uuid4()}"}
    client = _openai(gateway)
    first = asyncio.create_task(
        client.chat.completions.create(model="openai/gpt-4o", messages=HI, extra_headers=key)
    )
    await asyncio.sleep(0.5)
    with pytest.raises(openai.ConflictError) as caught:
        await client.chat.completions.create(model="openai/gpt-4o", messages=HI, extra_headers=key)
    assert caught.value.code == "request_in_progress"
    answer = await first
    replayed = await client.chat.completions.create(
        model="openai/gpt-4o", messages=HI, extra_headers=key
    )
    assert replayed.choices[0].message.content == answer.choices[0].message.content
    assert len(await usage_rows(runtime, gateway.ws)) == 1


@pytest.fixture
async def paced_gpt4o(stack: Stack) -> AsyncIterator[None]:
    """The simulator's gpt-4o streams 30 pieces, 100 ms apart (reset afterwards)."""
    assert stack.simulator_url is not None
    async with httpx.AsyncClient(base_url=stack.simulator_url, timeout=30) as sim:
        scenario = {"model": "gpt-4o", "chunks": 30, "interval_ms": 100}
        await sim.post("/_simulator/scenario", json=scenario)
        yield
        await sim.delete("/_simulator/scenario")


async def test_a_retry_after_a_dropped_stream_says_the_answer_is_incomplete(
    gateway: Gateway, runtime: Runtime, paced_gpt4o: None
) -> None:
    headers = {"Authorization": f"Bearer {gateway.token}", "Idempotency-Key": str(uuid.uuid4())}
    body = {"model": "openai/gpt-4o", "messages": HI, "stream": True}
    async with httpx.AsyncClient(base_url=gateway.base_url, timeout=30) as http:
        async with http.stream("POST", "/v1/chat/completions", json=body, headers=headers) as s:
            assert s.status_code == 200
            async for _ in s.aiter_bytes():
                break  # the client goes away after the first bytes
        for _ in range(100):  # until the first request has closed its answer
            retry = await http.post("/v1/chat/completions", json=body, headers=headers)
            if retry.status_code != 409:
                break
            await asyncio.sleep(0.1)
    assert retry.status_code == 200, retry.text
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.headers["x-switchboard-answer-status"] == "incomplete"
    assert len(await usage_rows(runtime, gateway.ws)) == 1


async def test_anthropic_streamed_retry_replays_text_and_tool_use(
    gateway: Gateway, runtime: Runtime
) -> None:
    client = anthropic.AsyncAnthropic(
        base_url=gateway.base_url, api_key=gateway.token, max_retries=0
    )
    tools = [
        {
            "name": "lookup",
            "description": "Look something up.",
            "input_schema": {"type": "object", "properties": {"query": {"type": "string"}}},
        }
    ]
    key = {"Idempotency-Key": f"anthropic-stream-{uuid.uuid4()}"}
    finals = []
    for _ in range(2):
        async with client.messages.stream(
            model="anthropic/claude-sonnet-4-6",
            max_tokens=200,
            messages=[{"role": "user", "content": "use the tool for badgers"}],
            tools=tools,  # type: ignore[arg-type]
            extra_headers=key,
        ) as stream:
            finals.append(await stream.get_final_message())
    shapes = [[(b.type, getattr(b, "input", None)) for b in f.content] for f in finals]
    assert ("tool_use", {"query": "use the tool for badgers"}) in shapes[0]
    assert shapes[0] == shapes[1]
    assert finals[0].stop_reason == finals[1].stop_reason == "tool_use"
    assert finals[1].usage.output_tokens == finals[0].usage.output_tokens
    assert len(await usage_rows(runtime, gateway.ws)) == 1
