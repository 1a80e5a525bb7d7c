"""A workspace with keys and a workspace API token, and the official SDKs pointed at the app."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from tests.integration.chat.conftest import KEYS
from tests.support import Stack, UserClient
from workspace.runtime import Runtime

# A 1x1 transparent PNG.
PNG_1X1 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAC"
    "hwGA60e6kgAAAABJRU5ErkJggg=="
)


@dataclass
class Gateway:
    """A workspace, its member's token for it, and the app's base URL for the SDKs."""

    ws: str
    token: str
    base_url: str
    user: UserClient


async def workspace_token(user: UserClient, ws: str, scope: str = "api") -> str:
    resp = await user.post(f"/api/workspaces/{ws}/tokens", json={"name": "sdk", "scope": scope})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["token"])


async def add_keys(user: UserClient, ws: str, *providers: str) -> None:
    for provider in providers:
        resp = await user.post(
            f"/api/workspaces/{ws}/credentials",
            json={"provider": provider, "secret": KEYS[provider]},
        )
        assert resp.status_code == 201, resp.text


@pytest.fixture
async def gateway(alice: UserClient, stack: Stack) -> Gateway:
    """Alice's workspace with OpenAI and Anthropic keys (BYOK) and an ``api`` token for it."""
    ws = await alice.create_workspace("Gateway")
    await add_keys(alice, ws, "openai", "anthropic")
    return Gateway(ws, await workspace_token(alice, ws), stack.url, alice)


async def accounted(runtime: Runtime, ws: str, timeout_s: float = 5.0) -> None:
    """Every call of the workspace is accounted: its lease is gone. A streamed answer nobody
    records is accounted once its response has ended (the response's background task)."""
    deadline = time.monotonic() + timeout_s
    while True:
        async with runtime.sessionmaker() as session:
            live = await session.scalar(
                sa.text("SELECT count(*) FROM live_calls WHERE workspace_id = :ws"),
                {"ws": uuid.UUID(ws)},
            )
        if not live:
            return
        assert time.monotonic() < deadline, f"{live} call(s) still unaccounted"
        await asyncio.sleep(0.02)


async def usage_rows(runtime: Runtime, ws: str) -> list[dict[str, object]]:
    """The workspace's usage ledger, oldest first, once every call is accounted."""
    await accounted(runtime, ws)
    async with runtime.sessionmaker() as session:
        rows = await session.execute(
            sa.text(
                "SELECT provider, model, key_source, credits, status, conversation_id "
                "FROM usage_events WHERE workspace_id = :ws ORDER BY created_at"
            ),
            {"ws": uuid.UUID(ws)},
        )
        return [dict(r._mapping) for r in rows]
