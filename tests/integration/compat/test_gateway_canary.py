"""Canary through the gateway: per-request keys (valid, and one the provider echoes back in its
error) and the workspace API token go through both formats, streamed and not, recorded as a
conversation; then no 8-character piece of them is in any log line, gateway response (headers
and SSE frames included) or the database."""

from __future__ import annotations

import logging
import uuid

import anthropic
import httpx
import openai
import pytest

from tests.integration.compat.conftest import Gateway
from tests.integration.keys.test_canary import _pg_dump, _pieces, _Recorder
from tests.support import Stack

HI = [{"role": "user", "content": "hi"}]


async def test_gateway_leaks_no_key_and_no_token(
    gateway: Gateway, stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    canary = f"sk-canary{uuid.uuid4().hex}CANARY"
    claude_canary = f"sk-ant-canary{uuid.uuid4().hex}CLAUDE"
    echoed = f"sk-invalid{uuid.uuid4().hex}ECHOED"
    recorder = _Recorder()
    http = httpx.AsyncClient(event_hooks={"response": [recorder]}, timeout=30)
    per_request = {"X-Provider": "openai", "X-Provider-Key": canary}
    oa = openai.AsyncOpenAI(
        base_url=f"{gateway.base_url}/v1", api_key=gateway.token, http_client=http, max_retries=0
    )
    await oa.chat.completions.create(
        model="openai/gpt-4o",
        messages=HI,
        extra_headers={**per_request, "X-Switchboard-Conversation": "new"},
    )
    async for _ in await oa.chat.completions.create(
        model="openai/gpt-4o", messages=HI, stream=True, extra_headers=per_request
    ):
        pass
    bad = {"X-Provider": "openai", "X-Provider-Key": echoed}
    with pytest.raises(openai.APIStatusError) as refused:
        await oa.chat.completions.create(model="openai/gpt-4o", messages=HI, extra_headers=bad)
    assert refused.value.code == "invalid_credentials"
    with pytest.raises(openai.APIError):
        async for _ in await oa.chat.completions.create(
            model="openai/gpt-4o", messages=HI, stream=True, extra_headers=bad
        ):
            pass
    # Anthropic's SDK brings its own httpx fork: a client of its kind, with the same recorder.
    an_http = anthropic.DefaultAsyncHttpxClient(event_hooks={"response": [recorder]})
    an = anthropic.AsyncAnthropic(
        base_url=gateway.base_url, api_key=gateway.token, http_client=an_http, max_retries=0
    )
    claude_key = {"X-Provider": "anthropic", "X-Provider-Key": claude_canary}
    async with an.messages.stream(
        model="anthropic/claude-sonnet-4-6",
        max_tokens=100,
        messages=HI,  # type: ignore[arg-type]
        extra_headers={**claude_key, "X-Switchboard-Conversation": "new"},
    ) as stream:
        await stream.get_final_message()
    await http.aclose()
    await an_http.aclose()

    haystacks = {
        "logs": caplog.text + "\n".join(r.getMessage() for r in caplog.records),
        "responses": "\n".join(recorder.bodies),
        "database": _pg_dump(stack),
    }
    assert "chatcmpl-" in haystacks["responses"] and "message_stop" in haystacks["responses"]
    for secret in (canary, claude_canary, echoed, gateway.token):
        for where, text in haystacks.items():
            leaked = [piece for piece in _pieces(secret) if piece in text]
            assert not leaked, f"{where} holds {leaked[:3]} of a secret"
