"""Each credential-file provider streams text and usage through its real wire protocol."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from adapters.config import AdapterConfig
from adapters.errors import InvalidCredentials, QuotaExhausted, UnsafeBaseURL
from adapters.oauth.memory import MemoryTokenStore
from adapters.simulator.server import RunningSimulator
from adapters.types import Finish, OAuthCredential
from tests.adapters.oauth.oauth_support import (
    ISSUER,
    claude_file,
    errors_of,
    gemini_file,
    hello,
    logged,
    provider,
    qwen_file,
    refresh_calls,
    text_of,
    usage_of,
)

IDS = ["gemini_cli", "claude_code", "qwen_code"]


def file_for(
    provider_id: str, sim: RunningSimulator, *, access: str = "", expires_in_s: float = 3600
) -> dict[str, object]:
    token = access or f"sim-ok-{provider_id}"
    if provider_id == "gemini_cli":
        return gemini_file(access=token, expires_in_s=expires_in_s)
    if provider_id == "claude_code":
        return claude_file(access=token, expires_in_s=expires_in_s)
    return qwen_file(sim.url, access=token, expires_in_s=expires_in_s)


@pytest.mark.parametrize("provider_id", IDS)
async def test_static_token_streams_text_and_usage_without_refreshing(
    provider_id: str, sim: RunningSimulator, oauth_config: AdapterConfig
) -> None:
    p = provider(oauth_config, provider_id)
    store = MemoryTokenStore(file_for(provider_id, sim))
    credential = OAuthCredential(store.data, store)

    events = [e async for e in p.stream(hello(provider_id), credential)]

    assert "hello there" in text_of(events)
    assert usage_of(events)[-1].input_tokens > 0
    assert usage_of(events)[-1].output_tokens > 0
    assert events[-1] == Finish("stop")
    assert refresh_calls(sim)[ISSUER[provider_id]] == 0


@pytest.mark.parametrize("provider_id", IDS)
async def test_expired_credential_refreshes_once_and_streams(
    provider_id: str, sim: RunningSimulator, oauth_config: AdapterConfig
) -> None:
    p = provider(oauth_config, provider_id)
    data = file_for(provider_id, sim, access="stale-access-token", expires_in_s=-60)
    store = MemoryTokenStore(data)
    credential = OAuthCredential(store.data, store)

    first = [e async for e in p.stream(hello(provider_id), credential)]
    second = [e async for e in p.stream(hello(provider_id), credential)]

    assert "hello there" in text_of(first)
    assert usage_of(first)
    assert first[-1] == Finish("stop")
    assert second[-1] == Finish("stop")
    assert refresh_calls(sim)[ISSUER[provider_id]] == 1
    assert store.saves >= 1
    assert p.tokens.spec.access_token(store.data) != "stale-access-token"
    assert not p.tokens.is_stale(store.data)


async def test_token_refreshed_within_the_margin(
    sim: RunningSimulator, oauth_config: AdapterConfig
) -> None:
    p = provider(oauth_config, "claude_code")
    margin = oauth_config.oauth_refresh_margin_s
    store = MemoryTokenStore(claude_file(access="sim-ok-soon", expires_in_s=margin / 2))

    events = [e async for e in p.stream(hello("claude_code"), OAuthCredential(store.data, store))]

    assert events[-1] == Finish("stop")
    assert refresh_calls(sim)["claude"] == 1


async def test_claude_requests_carry_the_oauth_beta_and_bearer(
    sim: RunningSimulator, oauth_config: AdapterConfig
) -> None:
    p = provider(oauth_config, "claude_code")
    store = MemoryTokenStore(claude_file())

    [e async for e in p.stream(hello("claude_code"), OAuthCredential(store.data, store))]

    entry = next(r for r in logged(sim) if r["path"] == "/v1/messages")
    headers = entry["headers"]
    assert isinstance(headers, dict)
    assert "oauth-2025-04-20" in headers.get("anthropic-beta", "")
    assert "x-api-key" not in headers


async def test_gemini_resolves_and_stores_the_code_assist_project(
    sim: RunningSimulator, oauth_config: AdapterConfig
) -> None:
    p = provider(oauth_config, "gemini_cli")
    store = MemoryTokenStore(gemini_file())
    credential = OAuthCredential(store.data, store)

    events = [e async for e in p.stream(hello("gemini_cli"), credential)]

    assert events[-1] == Finish("stop")
    assert store.data["projectId"] == "sim-project-0001"
    paths = [r["path"] for r in logged(sim)]
    assert paths.count("/code-assist/v1internal:loadCodeAssist") == 1
    body = next(r["body"] for r in logged(sim) if "streamGenerateContent" in str(r["path"]))
    assert isinstance(body, dict)
    assert body["project"] == "sim-project-0001"
    assert body["model"] == "gemini-2.5-flash"
    assert body["request"]["contents"][0]["role"] == "user"


async def test_gemini_uses_a_project_given_in_the_file(
    sim: RunningSimulator, oauth_config: AdapterConfig
) -> None:
    p = provider(oauth_config, "gemini_cli")
    store = MemoryTokenStore({**gemini_file(), "projectId": "my-own-project"})

    [e async for e in p.stream(hello("gemini_cli"), OAuthCredential(store.data, store))]

    paths = [r["path"] for r in logged(sim)]
    assert "/code-assist/v1internal:loadCodeAssist" not in paths
    body = next(r["body"] for r in logged(sim) if "streamGenerateContent" in str(r["path"]))
    assert body["project"] == "my-own-project"  # type: ignore[index]


async def test_gemini_quota_exhausted_is_terminal(
    sim: RunningSimulator, oauth_config: AdapterConfig
) -> None:
    p = provider(oauth_config, "gemini_cli")
    store = MemoryTokenStore({**gemini_file(access="sim-ok-quota"), "projectId": "p"})

    events = [e async for e in p.stream(hello("gemini_cli"), OAuthCredential(store.data, store))]

    assert isinstance(errors_of(events)[0], QuotaExhausted)
    assert events[-1] == Finish("error")


async def test_qwen_quota_is_quota_exhausted(
    sim: RunningSimulator, oauth_config: AdapterConfig
) -> None:
    p = provider(oauth_config, "qwen_code")
    store = MemoryTokenStore(qwen_file(sim.url, access="sim-ok-quota"))

    events = [e async for e in p.stream(hello("qwen_code"), OAuthCredential(store.data, store))]

    assert isinstance(errors_of(events)[0], QuotaExhausted)


async def test_qwen_resource_url_is_vetted_against_private_addresses(
    sim: RunningSimulator, oauth_config: AdapterConfig
) -> None:
    guarded = replace(oauth_config, allow_private_base_urls=False)
    p = provider(guarded, "qwen_code")
    data = {**qwen_file(sim.url), "resource_url": "169.254.169.254"}
    store = MemoryTokenStore(data)

    events = [e async for e in p.stream(hello("qwen_code"), OAuthCredential(store.data, store))]

    assert isinstance(errors_of(events)[0], UnsafeBaseURL)
    assert not [r for r in logged(sim) if str(r["path"]).startswith("/qwen")]


@pytest.mark.parametrize("provider_id", IDS)
async def test_api_401_forces_one_refresh_and_one_retry(
    provider_id: str, sim: RunningSimulator, oauth_config: AdapterConfig
) -> None:
    # Not expired by its date, but the API does not know it (revoked early).
    p = provider(oauth_config, provider_id)
    store = MemoryTokenStore(file_for(provider_id, sim, access="revoked-early-token"))
    credential = OAuthCredential(store.data, store)

    events = [e async for e in p.stream(hello(provider_id), credential)]

    assert events[-1] == Finish("stop"), errors_of(events)
    assert errors_of(events) == []
    assert refresh_calls(sim)[ISSUER[provider_id]] == 1


async def test_a_second_401_is_reported_not_retried_again(
    sim: RunningSimulator, oauth_config: AdapterConfig
) -> None:
    # Every issued access token is already expired when used: one refresh, one retry, then stop.
    httpx.post(f"{sim.url}/_simulator/oauth", json={"access_token_ttl_s": 0})
    p = provider(oauth_config, "claude_code")
    store = MemoryTokenStore(claude_file(access="revoked-early-token"))

    events = [e async for e in p.stream(hello("claude_code"), OAuthCredential(store.data, store))]

    assert isinstance(errors_of(events)[0], InvalidCredentials)
    assert events[-1] == Finish("error")
    assert refresh_calls(sim)["claude"] == 1


@pytest.mark.parametrize("provider_id", IDS)
async def test_validate_and_list_models(
    provider_id: str, sim: RunningSimulator, oauth_config: AdapterConfig
) -> None:
    p = provider(oauth_config, provider_id)
    store = MemoryTokenStore(file_for(provider_id, sim))
    credential = OAuthCredential(store.data, store)

    result = await p.validate(credential)
    models = await p.list_models(credential)

    assert result.ok, result.message
    assert {m.provider for m in models} == {provider_id}
    assert any(m.id == hello(provider_id).model for m in models)
