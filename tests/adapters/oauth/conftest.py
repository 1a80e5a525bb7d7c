"""Credential-file providers against the simulator's OAuth and API endpoints."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from adapters.config import AdapterConfig
from adapters.simulator.server import RunningSimulator


@pytest.fixture
def oauth_config(sim: RunningSimulator) -> Iterator[AdapterConfig]:
    """Every endpoint and OAuth client aimed at the simulator; token lifetime restored after."""
    yield AdapterConfig(
        anthropic_base_url=sim.url,
        code_assist_base_url=f"{sim.url}/code-assist",
        google_token_url=f"{sim.url}/oauth/google/token",
        qwen_token_url=f"{sim.url}/oauth/qwen/token",
        claude_token_url=f"{sim.url}/oauth/claude/token",
        google_oauth_client_id="sim-google-client",
        google_oauth_client_secret="sim-google-secret",
        qwen_oauth_client_id="sim-qwen-client",
        claude_oauth_client_id="sim-claude-client",
        allow_private_base_urls=True,
        request_timeout_s=10.0,
        connect_timeout_s=2.0,
    )
    httpx.post(f"{sim.url}/_simulator/oauth", json={"access_token_ttl_s": 3600})


def now_ms() -> int:
    return int(time.time() * 1000)
