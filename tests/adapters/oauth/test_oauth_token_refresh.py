"""Refresh rules: rotation is written back, dead logins are marked expired, one flight only."""

from __future__ import annotations

import asyncio

import pytest

from adapters.config import AdapterConfig
from adapters.errors import BadRequest, InvalidCredentials
from adapters.oauth.memory import MemoryTokenStore
from adapters.simulator.server import RunningSimulator
from adapters.types import Finish, OAuthCredential
from tests.adapters.oauth.oauth_support import (
    claude_file,
    errors_of,
    gemini_file,
    hello,
    provider,
    qwen_file,
    refresh_calls,
    text_of,
)


def _expired(provider_id: str, sim: RunningSimulator, refresh: str) -> dict[str, object]:
    if provider_id == "claude_code":
        return claude_file(access="stale", refresh=refresh, expires_in_s=-10)
    if provider_id == "qwen_code":
        return qwen_file(sim.url, access="stale", refresh=refresh, expires_in_s=-10)
    return gemini_file(access="stale", refresh=refresh, expires_in_s=-10)


@pytest.mark.parametrize(
    ("provider_id", "prefix"),
    [("claude_code", "sk-ant-oat-sim-rt-"), ("qwen_code", "qwen-sim-rt-")],
)
async def test_rotating_vendors_save_the_new_refresh_token(
    provider_id: str, prefix: str, sim: RunningSimulator, oauth_config: AdapterConfig
) -> None:
    p = provider(oauth_config, provider_id)
    store = MemoryTokenStore(_expired(provider_id, sim, "rt-pasted-0001"))

    events = [e async for e in p.stream(hello(provider_id), OAuthCredential(store.data, store))]

    saved = p.tokens.spec.refresh_token(store.data)
    assert events[-1] == Finish("stop")
    assert saved != "rt-pasted-0001"
    assert saved.startswith(prefix)


async def test_qwen_takes_the_resource_url_the_refresh_returns(
    sim: RunningSimulator, oauth_config: AdapterConfig
) -> None:
    p = provider(oauth_config, "qwen_code")
    data = {**_expired("qwen_code", sim, "rt-q-0002"), "resource_url": "old.example.invalid"}
    store = MemoryTokenStore(data)

    events = [e async for e in p.stream(hello("qwen_code"), OAuthCredential(store.data, store))]

    assert events[-1] == Finish("stop")
    assert store.data["resource_url"] == f"{sim.url}/qwen"


async def test_google_keeps_its_refresh_token(
    sim: RunningSimulator, oauth_config: AdapterConfig
) -> None:
    p = provider(oauth_config, "gemini_cli")
    store = MemoryTokenStore({**_expired("gemini_cli", sim, "1//google-keep"), "projectId": "p"})

    events = [e async for e in p.stream(hello("gemini_cli"), OAuthCredential(store.data, store))]

    assert events[-1] == Finish("stop")
    assert store.data["refresh_token"] == "1//google-keep"
    assert store.data["access_token"] != "stale"


@pytest.mark.parametrize("provider_id", ["claude_code", "qwen_code"])
async def test_reused_refresh_token_marks_the_login_expired_without_retrying(
    provider_id: str, sim: RunningSimulator, oauth_config: AdapterConfig
) -> None:
    p = provider(oauth_config, provider_id)
    pasted = _expired(provider_id, sim, f"rt-reuse-{provider_id}")
    first = MemoryTokenStore(pasted)
    [e async for e in p.stream(hello(provider_id), OAuthCredential(first.data, first))]
    # A second copy of the same file still holds the refresh token that was just rotated away.
    stale_copy = MemoryTokenStore(pasted)
    before = refresh_calls(sim)

    events = [
        e async for e in p.stream(hello(provider_id), OAuthCredential(stale_copy.data, stale_copy))
    ]

    errors = errors_of(events)
    assert len(errors) == 1
    assert isinstance(errors[0], InvalidCredentials)
    assert "paste the fresh credential file" in errors[0].message
    assert events[-1] == Finish("error")
    assert stale_copy.expired is True
    assert stale_copy.saves == 0
    issuer = "claude" if provider_id == "claude_code" else "qwen"
    assert refresh_calls(sim)[issuer] - before[issuer] == 1


async def test_revoked_refresh_token_fails_validation_with_the_fix(
    sim: RunningSimulator, oauth_config: AdapterConfig
) -> None:
    p = provider(oauth_config, "gemini_cli")
    store = MemoryTokenStore(_expired("gemini_cli", sim, "1//invalid-revoked"))

    result = await p.validate(OAuthCredential(store.data, store))

    assert result.status == "invalid"
    assert "paste the fresh credential file" in result.message
    assert "1//invalid-revoked" not in result.message
    assert store.expired is True
    assert refresh_calls(sim)["google"] == 1


async def test_concurrent_calls_in_one_process_refresh_once(
    sim: RunningSimulator, oauth_config: AdapterConfig
) -> None:
    p = provider(oauth_config, "claude_code")
    store = MemoryTokenStore(_expired("claude_code", sim, "rt-burst-0001"))
    # Separate credential objects, as separate requests would load them.
    credentials = [OAuthCredential(dict(store.data), store) for _ in range(10)]

    async def one(credential: OAuthCredential) -> str:
        return text_of([e async for e in p.stream(hello("claude_code"), credential)])

    texts = await asyncio.gather(*(one(c) for c in credentials))

    assert all("hello there" in t for t in texts)
    assert refresh_calls(sim)["claude"] == 1
    assert store.saves == 1


async def test_missing_client_id_is_an_operator_error_not_a_dead_login(
    sim: RunningSimulator, oauth_config: AdapterConfig
) -> None:
    bare = AdapterConfig(claude_token_url=oauth_config.claude_token_url)
    p = provider(bare, "claude_code")
    store = MemoryTokenStore(_expired("claude_code", sim, "rt-noclient"))

    events = [e async for e in p.stream(hello("claude_code"), OAuthCredential(store.data, store))]

    assert isinstance(errors_of(events)[0], BadRequest)
    assert "claude_oauth_client_id" in errors_of(events)[0].message
    assert store.expired is False
    assert refresh_calls(sim)["claude"] == 0


async def test_without_a_store_a_refresh_still_updates_the_credential(
    sim: RunningSimulator, oauth_config: AdapterConfig
) -> None:
    p = provider(oauth_config, "gemini_cli")
    credential = OAuthCredential({**_expired("gemini_cli", sim, "1//nostore"), "projectId": "p"})

    events = [e async for e in p.stream(hello("gemini_cli"), credential)]

    assert events[-1] == Finish("stop")
    assert credential.data["access_token"] != "stale"
