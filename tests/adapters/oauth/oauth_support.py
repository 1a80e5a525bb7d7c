"""Helpers for the credential-file provider tests: files as the CLIs write them, providers,
requests and the simulator's counters."""

from __future__ import annotations

import time
import uuid

import httpx

from adapters import (
    AdapterConfig,
    CredentialFileProvider,
    ProviderError,
    ProviderRegistry,
    make_plugin_manager,
)
from adapters.simulator.server import RunningSimulator
from adapters.types import (
    ChatRequest,
    ErrorEvent,
    Message,
    StreamEvent,
    Text,
    TextDelta,
    Usage,
)

MODELS = {
    "gemini_cli": "gemini-2.5-flash",
    "claude_code": "claude-haiku-4-5",
    "qwen_code": "coder-model",
}
ISSUER = {"gemini_cli": "google", "claude_code": "claude", "qwen_code": "qwen"}


def provider(config: AdapterConfig, provider_id: str) -> CredentialFileProvider:
    """The registered credential-file provider, as the app finds it."""
    found = ProviderRegistry(make_plugin_manager(load_entrypoints=False), config).get(provider_id)
    assert isinstance(found, CredentialFileProvider)
    return found


def hello(provider_id: str, text: str = "hello there") -> ChatRequest:
    return ChatRequest(MODELS[provider_id], (Message("user", (Text(text),)),))


def text_of(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def usage_of(events: list[StreamEvent]) -> list[Usage]:
    return [e for e in events if isinstance(e, Usage)]


def errors_of(events: list[StreamEvent]) -> list[ProviderError]:
    return [e.error for e in events if isinstance(e, ErrorEvent)]


def refresh_calls(sim: RunningSimulator) -> dict[str, int]:
    body = httpx.get(f"{sim.url}/_simulator/requests").json()
    return dict(body["refresh_calls"])


def logged(sim: RunningSimulator) -> list[dict[str, object]]:
    return list(httpx.get(f"{sim.url}/_simulator/requests").json()["requests"])


def _ms(offset_s: float) -> int:
    return int((time.time() + offset_s) * 1000)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


def gemini_file(
    *, access: str = "sim-ok-gemini", refresh: str | None = None, expires_in_s: float = 3600
) -> dict[str, object]:
    return {
        "access_token": access,
        "refresh_token": refresh or unique("1//google-rt"),
        "scope": "https://www.googleapis.com/auth/cloud-platform openid",
        "token_type": "Bearer",
        "id_token": "eyJhbGciOiJSUzI1NiJ9.e30.sig",
        "expiry_date": _ms(expires_in_s),
    }


def claude_file(
    *, access: str = "sim-ok-claude", refresh: str | None = None, expires_in_s: float = 3600
) -> dict[str, object]:
    return {
        "claudeAiOauth": {
            "accessToken": access,
            "refreshToken": refresh or unique("claude-rt"),
            "expiresAt": _ms(expires_in_s),
            "scopes": ["user:inference", "user:profile"],
            "subscriptionType": "max",
        }
    }


def qwen_file(
    sim_url: str,
    *,
    access: str = "sim-ok-qwen",
    refresh: str | None = None,
    expires_in_s: float = 3600,
) -> dict[str, object]:
    return {
        "access_token": access,
        "refresh_token": refresh or unique("qwen-rt"),
        "token_type": "Bearer",
        "resource_url": f"{sim_url}/qwen",
        "expiry_date": _ms(expires_in_s),
    }
