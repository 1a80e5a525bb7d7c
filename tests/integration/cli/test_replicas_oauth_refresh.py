"""Issue 15: "OAuth refresh stays single-flight" across two ``switchboard run`` replicas on one
PostgreSQL and one OpenBao. A member's Claude Code login expires; requests on both replicas at
once all answer, and the simulator's token endpoint sees exactly one refresh: the advisory lock
(:mod:`workspace.keys.oauth_store`) serialises the replicas, and each re-reads the stored file
inside it, so the one that waited uses the fresh tokens instead of refreshing (Claude's refresh
token dies on first use: a second refresh would fail and mark the login expired).

To make "at once" certain rather than likely, the test holds the credential's lock itself until
one request on each replica is waiting for it (seen in ``pg_locks``), then lets them go; a burst
of requests on both replicas follows."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest
import sqlalchemy as sa

from tests.integration.chat.conftest import Event, read_events
from tests.support import PASSWORD, Stack, switchboard_run
from workspace.cli.demo import simulator_settings
from workspace.cli.embedded.ports import free_port
from workspace.keys.models import Credential, vault_path
from workspace.keys.oauth_store import FIELD, lock_key
from workspace.runtime import Runtime
from workspace.secrets.eviction import announce

PER_REPLICA = 5


@pytest.fixture(scope="module")
def oauth_replicas(stack: Stack) -> Iterator[list[str]]:
    """Two replicas with credential-file logins enabled, their vendors on the simulator."""
    assert stack.simulator_url is not None
    base = simulator_settings(stack.settings, stack.simulator_url)
    with ExitStack() as running:
        urls = []
        for _ in range(2):
            settings = base.model_copy(update={"port": free_port()})
            running.enter_context(switchboard_run(settings))
            urls.append(f"http://127.0.0.1:{settings.port}")
        yield urls


def _claude_file(access: str, refresh: str, expires_in_s: float) -> dict[str, object]:
    return {
        "claudeAiOauth": {
            "accessToken": access,
            "refreshToken": refresh,
            "expiresAt": int((time.time() + expires_in_s) * 1000),
            "scopes": ["user:inference", "user:profile"],
            "subscriptionType": "max",
        }
    }


def _refresh_calls(simulator_url: str) -> int:
    body = httpx.get(f"{simulator_url}/_simulator/requests?limit=0").json()
    return int(body["refresh_calls"].get("claude", 0))


async def _stored(runtime: Runtime, credential_id: str) -> dict[str, object]:
    async with runtime.sessionmaker() as session:
        row = await session.get(Credential, uuid.UUID(credential_id))
    assert row is not None
    data, _ = await runtime.secrets.read(vault_path(row), use_cache=False)
    value = json.loads(data[FIELD])
    assert isinstance(value, dict)
    return value


def _stored_refresh(data: dict[str, object]) -> str:
    login = data["claudeAiOauth"]
    assert isinstance(login, dict)
    return str(login["refreshToken"])


async def _expire(runtime: Runtime, credential_id: str, refresh: str) -> None:
    """The stored login's access token expired (as an hour after pasting), on every replica."""
    async with runtime.sessionmaker() as session:
        row = await session.get(Credential, uuid.UUID(credential_id))
        assert row is not None
        path = vault_path(row)
        stale = _claude_file("sim-expired-access", refresh, expires_in_s=-60)
        await runtime.secrets.write(path, {FIELD: json.dumps(stale)})
        await announce(session, runtime.secrets, path)  # replicas drop any cached copy
        await session.commit()


async def _waiting_for(runtime: Runtime, key: int) -> int:
    """How many backends wait for the advisory lock ``key``."""
    async with runtime.engine.connect() as conn:
        found = await conn.execute(
            sa.text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                "AND classid::bigint = :hi AND objid::bigint = :lo AND objsubid = 1"
            ),
            {"hi": (key >> 32) & 0xFFFFFFFF, "lo": key & 0xFFFFFFFF},
        )
        return int(found.scalar_one())


async def _ask(http: httpx.AsyncClient, conversation: str, model: str) -> list[Event]:
    async with http.stream(
        "POST",
        f"/api/conversations/{conversation}/messages",
        json={"content": "ping", "model": model},
    ) as response:
        return await read_events(response)


async def test_two_replicas_refresh_an_expired_login_exactly_once(
    oauth_replicas: list[str], stack: Stack, runtime: Runtime
) -> None:
    assert stack.simulator_url is not None
    a = httpx.AsyncClient(base_url=oauth_replicas[0], timeout=60)
    email = f"oauth-replica-{uuid.uuid4().hex[:8]}@example.test"
    made = await a.post(
        "/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "o"}
    )
    assert made.status_code == 201, made.text
    a.headers["X-CSRF-Token"] = made.json()["csrf_token"]
    b = httpx.AsyncClient(
        base_url=oauth_replicas[1], timeout=60, cookies=a.cookies, headers=a.headers
    )
    try:
        refresh = f"claude-rt-replicas-{uuid.uuid4().hex}"
        fresh = _claude_file("sim-ok-claude-replicas", refresh, expires_in_s=3600)
        added = await a.post(
            "/api/me/credentials",
            json={"provider": "claude_code", "credentials_json": json.dumps(fresh)},
        )
        assert added.status_code == 201, added.text
        assert added.json()["status"] == "valid", added.text
        ws = (await a.post("/api/workspaces", json={"name": "OAuth replicas"})).json()["id"]
        models = (await a.get(f"/api/workspaces/{ws}/models")).json()
        model = next(m["id"] for m in models if m["provider"] == "claude_code" and m["allowed"])
        conversations = [
            (await a.post(f"/api/workspaces/{ws}/conversations", json={})).json()["id"]
            for _ in range(2 * PER_REPLICA + 2)
        ]
        await _expire(runtime, added.json()["id"], refresh)
        await asyncio.sleep(0.5)  # the eviction NOTIFY reaches both replicas
        before = _refresh_calls(stack.simulator_url)

        key = lock_key(uuid.UUID(added.json()["id"]))
        async with runtime.engine.connect() as holder:
            await holder.execution_options(isolation_level="AUTOCOMMIT")
            await holder.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": key})
            first = [
                asyncio.create_task(_ask(http, c, model))
                for http, c in zip((a, b), conversations[:2], strict=True)
            ]
            deadline = time.monotonic() + 30
            while await _waiting_for(runtime, key) < 2:  # one replica's request each
                assert time.monotonic() < deadline, "both replicas should wait for the lock"
                assert not any(t.done() for t in first), [t.result() for t in first if t.done()]
                await asyncio.sleep(0.05)
            await holder.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        answers = await asyncio.gather(*first)
        assert _refresh_calls(stack.simulator_url) - before == 1

        await _expire(
            runtime, added.json()["id"], _stored_refresh(await _stored(runtime, added.json()["id"]))
        )
        await asyncio.sleep(0.5)
        before = _refresh_calls(stack.simulator_url)
        clients = [a] * PER_REPLICA + [b] * PER_REPLICA
        answers += await asyncio.gather(
            *(_ask(http, c, model) for http, c in zip(clients, conversations[2:], strict=True))
        )
        ends = [events[-1] for events in answers]
        assert all(e.event == "message.end" and e.data["status"] == "complete" for e in ends), ends
        assert _refresh_calls(stack.simulator_url) - before == 1
        listed = (await b.get("/api/me/credentials")).json()
        assert [c["status"] for c in listed if c["id"] == added.json()["id"]] == ["valid"]
    finally:
        await a.aclose()
        await b.aclose()
