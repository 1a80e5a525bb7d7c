"""Control API, request log redaction, disconnect detection and OAuth token endpoints."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from openai import AsyncOpenAI

from adapters.simulator.server import RunningSimulator
from tests.simulator.sim_helpers import HTTP, logged, set_scenario

CHAT = {"model": "gpt-4o", "stream": True, "messages": [{"role": "user", "content": "hello"}]}


async def test_log_redacts_credentials(sim: RunningSimulator) -> None:
    openai_client = AsyncOpenAI(base_url=f"{sim.url}/v1", api_key="sk-secret-123", max_retries=0)
    await openai_client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "x"}]
    )
    HTTP.post(
        f"{sim.url}/oauth/google/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": "rt-secret-456",
            "client_id": "cid",
            "client_secret": "cs-secret-789",
        },
        headers={"cookie": "session=secret-000", "x-goog-api-key": "AIza-secret"},
    )
    log = logged(sim)
    dump = str(log)
    for secret in ("sk-secret-123", "rt-secret-456", "cs-secret-789", "secret-000", "AIza-secret"):
        assert secret not in dump
    entry = log["requests"][0]
    assert entry["provider"] == "openai"
    assert entry["status"] == 200
    assert entry["body"]["messages"][0]["content"] == "x"
    assert log["requests"][1]["body"]["refresh_token"] == "[redacted]"
    assert log["refresh_calls"]["google"] == 1


async def test_client_disconnect_is_recorded(sim: RunningSimulator) -> None:
    set_scenario(sim, model="*", interval_ms=40)
    async with (
        httpx.AsyncClient() as http,
        http.stream(
            "POST",
            f"{sim.url}/v1/chat/completions",
            headers={"authorization": "Bearer sk-x"},
            json=CHAT,
        ) as response,
    ):
        async for line in response.aiter_lines():
            if line.startswith("data: "):
                break
    deadline = time.monotonic() + 3
    entry = logged(sim)["requests"][-1]
    while not entry["disconnected"] and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        entry = logged(sim)["requests"][-1]
    assert entry["disconnected"] is True
    assert entry["completed"] is False


async def test_complete_stream_is_not_a_disconnect(sim: RunningSimulator) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{sim.url}/v1/chat/completions", headers={"authorization": "Bearer k"}, json=CHAT
        )
    assert response.text.endswith("data: [DONE]\n\n")
    entry = logged(sim)["requests"][-1]
    assert entry["completed"] is True
    assert entry["disconnected"] is False


async def test_server_disconnect_scenario(sim: RunningSimulator) -> None:
    set_scenario(sim, model="gpt-4o", error="disconnect")
    async with httpx.AsyncClient() as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.post(
                f"{sim.url}/v1/chat/completions", headers={"authorization": "Bearer k"}, json=CHAT
            )
    entry = logged(sim)["requests"][-1]
    assert entry["aborted"] is True
    assert entry["disconnected"] is False


async def test_ttft_and_interval_pacing(sim: RunningSimulator) -> None:
    set_scenario(sim, model="gpt-4o", ttft_ms=150, interval_ms=20, chunks=4, reply="abcdefgh")
    start = time.monotonic()
    first = None
    pieces: list[str] = []
    async with (
        httpx.AsyncClient() as http,
        http.stream(
            "POST",
            f"{sim.url}/v1/chat/completions",
            headers={"authorization": "Bearer k"},
            json=CHAT,
        ) as response,
    ):
        async for line in response.aiter_lines():
            if '"content":"' in line and '"content":""' not in line:
                first = first or time.monotonic() - start
                pieces.append(line)
    total = time.monotonic() - start
    assert first is not None
    assert first >= 0.14
    assert total >= 0.2
    assert len(pieces) == 4


def test_scenario_validation(sim: RunningSimulator) -> None:
    bad = HTTP.post(f"{sim.url}/_simulator/scenario", json={"model": "*", "error": "boom"})
    assert bad.status_code == 400
    typo = HTTP.post(f"{sim.url}/_simulator/scenario", json={"ttft": 5})
    assert typo.status_code == 400


def test_claude_refresh_rotates_with_reuse_detection(sim: RunningSimulator) -> None:
    url = f"{sim.url}/oauth/claude/token"

    def refresh(token: str) -> httpx.Response:
        return HTTP.post(
            url,
            json={"grant_type": "refresh_token", "refresh_token": token, "client_id": "claude"},
        )

    first = refresh("initial-refresh")
    assert first.status_code == 200
    grant = first.json()
    assert grant["refresh_token"] != "initial-refresh"
    assert grant["expires_in"] > 0
    reused = refresh("initial-refresh")
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"
    # reuse revoked the whole family, including the token just handed out
    assert refresh(grant["refresh_token"]).json()["error"] == "invalid_grant"
    # the issued access token works against the Messages API with the OAuth beta
    fresh = refresh("another-login").json()
    ok = HTTP.post(
        f"{sim.url}/v1/messages",
        headers={
            "authorization": f"Bearer {fresh['access_token']}",
            "anthropic-version": "2023-06-01",
            "anthropic-beta": "oauth-2025-04-20",
        },
        json={
            "model": "claude-haiku-4-5",
            "max_tokens": 50,
            "messages": [{"role": "user", "content": "hi"}],
        },
    )
    assert ok.status_code == 200, ok.text
    assert logged(sim)["refresh_calls"]["claude"] == 4
    assert HTTP.post(url, data={"grant_type": "refresh_token"}).status_code == 400


def test_google_never_rotates_and_qwen_returns_resource_url(sim: RunningSimulator) -> None:
    form = {
        "grant_type": "refresh_token",
        "refresh_token": "g-rt",
        "client_id": "cid",
        "client_secret": "cs",
    }
    for _ in range(2):
        google = HTTP.post(f"{sim.url}/oauth/google/token", data=form)
        assert google.status_code == 200
        assert "refresh_token" not in google.json()
    qwen = HTTP.post(
        f"{sim.url}/oauth/qwen/token",
        data={"grant_type": "refresh_token", "refresh_token": "q-rt", "client_id": "cid"},
    )
    grant = qwen.json()
    assert grant["resource_url"] == f"{sim.url}/qwen"
    assert grant["refresh_token"] != "q-rt"
    chat = HTTP.post(
        f"{grant['resource_url']}/v1/chat/completions",
        headers={"authorization": f"Bearer {grant['access_token']}"},
        json={"model": "coder-model", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert chat.status_code == 200, chat.text


def test_expired_access_token_is_refused(sim: RunningSimulator) -> None:
    HTTP.post(f"{sim.url}/_simulator/oauth", json={"access_token_ttl_s": 0})
    try:
        grant = HTTP.post(
            f"{sim.url}/oauth/google/token",
            data={"grant_type": "refresh_token", "refresh_token": "r", "client_id": "c"},
        ).json()
    finally:
        HTTP.post(f"{sim.url}/_simulator/oauth", json={"access_token_ttl_s": 3600})
    response = HTTP.post(
        f"{sim.url}/code-assist/v1internal:loadCodeAssist",
        headers={"authorization": f"Bearer {grant['access_token']}"},
        json={"metadata": {}},
    )
    assert response.status_code == 401
