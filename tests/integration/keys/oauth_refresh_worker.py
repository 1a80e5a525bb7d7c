"""The second process of the refresh acceptance test: N concurrent Claude Code streams.

Started by ``test_oauth_refresh.py`` with the stack's ``DATABASE_URL`` / ``VAULT_*`` in its
environment. It loads the credential exactly as the app would (once per call), prints ``ready``,
waits for a line on stdin (so both processes fire together), then prints one JSON line of
results.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid

from adapters.config import AdapterConfig
from adapters.oauth.claude_code import ClaudeCodeProvider
from adapters.types import (
    ChatRequest,
    ErrorEvent,
    Finish,
    Message,
    OAuthCredential,
    Text,
    TextDelta,
)
from workspace.config.settings import Settings
from workspace.db.sessions import make_engine, make_sessionmaker
from workspace.keys.models import Credential
from workspace.keys.oauth_store import load_oauth_credential
from workspace.secrets.vault import SecretStore

SIMULATOR_ENV = "OAUTH_TEST_SIMULATOR_URL"
CREDENTIAL_ENV = "OAUTH_TEST_CREDENTIAL_ID"
CONCURRENCY_ENV = "OAUTH_TEST_CONCURRENCY"
CLIENT_ID = "sim-claude-client"


def claude_config(simulator_url: str) -> AdapterConfig:
    """Claude Code aimed at the simulator (the same in both processes)."""
    return AdapterConfig(
        anthropic_base_url=simulator_url,
        claude_token_url=f"{simulator_url}/oauth/claude/token",
        claude_oauth_client_id=CLIENT_ID,
        request_timeout_s=30.0,
        connect_timeout_s=5.0,
    )


async def fire(
    provider: ClaudeCodeProvider, credentials: list[OAuthCredential]
) -> list[dict[str, object]]:
    """One stream per credential, all at once.

    Each credential was loaded beforehand (as requests that started before any refresh would
    hold it), so every call sees the expired token and goes for the refresh lock.
    """

    async def one(credential: OAuthCredential) -> dict[str, object]:
        request = ChatRequest("claude-haiku-4-5", (Message("user", (Text("ping"),)),))
        events = [e async for e in provider.stream(request, credential)]
        return {
            "text": "".join(e.text for e in events if isinstance(e, TextDelta)),
            "finish": events[-1].reason if isinstance(events[-1], Finish) else None,
            "errors": [e.error.message for e in events if isinstance(e, ErrorEvent)],
        }

    return list(await asyncio.gather(*(one(c) for c in credentials)))


async def main() -> None:
    settings = Settings()
    assert settings.database_url is not None
    credential_id = uuid.UUID(os.environ[CREDENTIAL_ENV])
    count = int(os.environ.get(CONCURRENCY_ENV, "10"))
    engine = make_engine(settings.database_url, pool_size=count)
    secrets = SecretStore(settings)
    provider = ClaudeCodeProvider(claude_config(os.environ[SIMULATOR_ENV]))
    try:
        async with make_sessionmaker(engine)() as session:
            row = await session.get(Credential, credential_id)
        assert row is not None
        credentials = [await load_oauth_credential(engine, secrets, row) for _ in range(count)]
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        results = await fire(provider, credentials)
        print(json.dumps({"results": results}), flush=True)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
