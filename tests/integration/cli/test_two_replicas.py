"""Two ``switchboard run`` processes on one PostgreSQL and one OpenBao, as two replicas behind a
load balancer: sessions, API tokens and conversations work on either; a key rotated through one
is used by the other within a second, also right after the other's LISTEN connection was
killed (its cache is bypassed until it has reconnected, then emptied)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, contextmanager

import httpx
import pytest
import sqlalchemy as sa

from tests.integration.chat.conftest import Event, read_events
from tests.support import PASSWORD, Stack, switchboard_run
from workspace.cli.embedded.ports import free_port
from workspace.runtime import Runtime
from workspace.secrets.eviction import APPLICATION_NAME

WITHIN_S = 1.0


@contextmanager
def _replicas(stack: Stack, count: int) -> Iterator[list[str]]:
    with ExitStack() as running:
        urls = []
        for _ in range(count):
            settings = stack.settings.model_copy(update={"port": free_port()})
            running.enter_context(switchboard_run(settings))
            urls.append(f"http://127.0.0.1:{settings.port}")
        yield urls


@pytest.fixture(scope="module")
def replicas(stack: Stack) -> Iterator[list[str]]:
    with _replicas(stack, 2) as urls:
        yield urls


async def _wait_listening(url: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        for _ in range(200):
            if (await http.get("/readyz")).json().get("eviction") == "ok":
                return
            await asyncio.sleep(0.05)
    raise AssertionError(f"{url} never reported its eviction listener up")


@pytest.fixture
async def clients(
    replicas: list[str],
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """One signed-in user's browser talking to replica A, and the same session sent to B."""
    a = httpx.AsyncClient(base_url=replicas[0], timeout=30)
    email = f"replica-{uuid.uuid4().hex[:8]}@example.test"
    made = await a.post(
        "/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "r"}
    )
    assert made.status_code == 201, made.text
    a.headers["X-CSRF-Token"] = made.json()["csrf_token"]
    b = httpx.AsyncClient(base_url=replicas[1], timeout=30, cookies=a.cookies, headers=a.headers)
    try:
        yield a, b
    finally:
        await a.aclose()
        await b.aclose()


async def _ask(http: httpx.AsyncClient, conversation: str, text: str) -> list[Event]:
    async with http.stream(
        "POST",
        f"/api/conversations/{conversation}/messages",
        json={"content": text, "model": "openai/gpt-4o"},
    ) as response:
        return await read_events(response)


async def _workspace_with_openai_key(http: httpx.AsyncClient, secret: str) -> tuple[str, str]:
    ws = (await http.post("/api/workspaces", json={"name": "Replicas"})).json()["id"]
    added = await http.post(
        f"/api/workspaces/{ws}/credentials", json={"provider": "openai", "secret": secret}
    )
    assert added.status_code == 201, added.text
    return ws, added.json()["id"]


async def _rotate(http: httpx.AsyncClient, ws: str, cred: str, secret: str) -> None:
    resp = await http.put(
        f"/api/workspaces/{ws}/credentials/{cred}/secret", json={"secret": secret}
    )
    assert resp.status_code == 200, resp.text


async def _until_refused(http: httpx.AsyncClient, conversation: str) -> float:
    """Seconds until B's answers fail with the rate-limited key (so B uses the new key)."""
    started = time.monotonic()
    while True:
        names = [e.event for e in await _ask(http, conversation, "which key?")]
        if "error" in names:
            return time.monotonic() - started
        assert time.monotonic() - started < 5 * WITHIN_S, names
        await asyncio.sleep(0.05)


async def test_a_session_and_an_api_token_work_on_both(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient], replicas: list[str]
) -> None:
    a, b = clients
    ws = (await a.post("/api/workspaces", json={"name": "Shared"})).json()["id"]
    assert ws in {w["id"] for w in (await b.get("/api/workspaces")).json()}
    token = (await b.post("/api/tokens", json={"name": "ci"})).json()["token"]
    for url in replicas:
        async with httpx.AsyncClient(base_url=url, timeout=30) as bearer:
            resp = await bearer.get("/api/workspaces", headers={"Authorization": f"Bearer {token}"})
            assert resp.status_code == 200, resp.text
            assert ws in {w["id"] for w in resp.json()}


async def test_a_conversation_started_on_a_continues_on_b(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    a, b = clients
    ws, _ = await _workspace_with_openai_key(a, "sk-replica-openai-0001")
    conversation = (await a.post(f"/api/workspaces/{ws}/conversations", json={})).json()["id"]
    first = await _ask(a, conversation, "started on A")
    assert first[-1].event == "message.end", first
    second = await _ask(b, conversation, "continued on B")
    assert second[-1].event == "message.end", second
    messages = (await a.get(f"/api/conversations/{conversation}")).json()["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    assert messages[2]["parent_id"] == messages[1]["id"]


async def test_a_key_rotated_through_a_is_used_by_b_within_a_second(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient], replicas: list[str]
) -> None:
    a, b = clients
    await _wait_listening(replicas[1])
    ws, cred = await _workspace_with_openai_key(a, "sk-replica-good-0002")
    conversation = (await a.post(f"/api/workspaces/{ws}/conversations", json={})).json()["id"]
    assert (await _ask(b, conversation, "cache the key on B"))[-1].event == "message.end"
    await _rotate(a, ws, cred, "sk-replica-ratelimit-0003")
    assert await _until_refused(b, conversation) < WITHIN_S


async def test_also_right_after_b_lost_its_listen_connection(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient], replicas: list[str], runtime: Runtime
) -> None:
    a, b = clients
    await _wait_listening(replicas[1])
    ws, cred = await _workspace_with_openai_key(a, "sk-replica-good-0004")
    conversation = (await a.post(f"/api/workspaces/{ws}/conversations", json={})).json()["id"]
    assert (await _ask(b, conversation, "cache the key on B"))[-1].event == "message.end"
    async with runtime.engine.connect() as conn:
        killed = await conn.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = :name"
            ),
            {"name": APPLICATION_NAME},
        )
        assert killed.scalar_one() >= 2  # A's and B's (and the test app's) listeners
    await _rotate(a, ws, cred, "sk-replica-ratelimit-0005")
    assert await _until_refused(b, conversation) < WITHIN_S
    await _wait_listening(replicas[1])  # and B's listener is back


async def _until_status(http: httpx.AsyncClient, path: str, status: int, **kw: object) -> float:
    """Seconds until ``path`` on this replica answers ``status`` (polled every 20 ms)."""
    started = time.monotonic()
    while (await http.get(path, **kw)).status_code != status:  # type: ignore[arg-type]
        assert time.monotonic() - started < 5 * WITHIN_S
        await asyncio.sleep(0.02)
    return time.monotonic() - started


async def _cached_on(http: httpx.AsyncClient, path: str, **kw: object) -> None:
    """Asked twice, so the replica has admitted it from its lookup cache at least once."""
    for _ in range(2):
        resp = await http.get(path, **kw)  # type: ignore[arg-type]
        assert resp.status_code == 200, resp.text


async def test_a_token_revoked_on_a_is_refused_by_b_within_a_second(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient], replicas: list[str]
) -> None:
    a, _ = clients
    await _wait_listening(replicas[1])
    made = (await a.post("/api/tokens", json={"name": "revoked"})).json()
    bearer = {"headers": {"Authorization": f"Bearer {made['token']}"}}
    async with httpx.AsyncClient(base_url=replicas[1], timeout=30) as on_b:
        await _cached_on(on_b, "/api/workspaces", **bearer)
        assert (await a.delete(f"/api/tokens/{made['id']}")).status_code == 204
        assert await _until_status(on_b, "/api/workspaces", 401, **bearer) < WITHIN_S


async def test_a_session_signed_out_on_a_is_refused_by_b_within_a_second(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient], replicas: list[str]
) -> None:
    a, b = clients
    await _wait_listening(replicas[1])
    await _cached_on(b, "/api/workspaces")
    assert (await a.post("/api/auth/logout")).status_code == 204
    assert await _until_status(b, "/api/workspaces", 401) < WITHIN_S


async def test_a_role_taken_away_on_a_is_refused_by_b_within_a_second(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient], replicas: list[str], stack: Stack
) -> None:
    a, _ = clients
    await _wait_listening(replicas[1])
    ws = (await a.post("/api/workspaces", json={"name": "Roles"})).json()["id"]
    invite = (await a.post(f"/api/workspaces/{ws}/invites", json={"role": "admin"})).json()
    async with httpx.AsyncClient(base_url=replicas[1], timeout=30) as bob:
        email = f"bob-{uuid.uuid4().hex[:8]}@example.test"
        made = await bob.post(
            "/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "bob"}
        )
        bob.headers["X-CSRF-Token"] = made.json()["csrf_token"]
        joined = await bob.post(f"/api/invites/{invite['token']}/accept")
        assert joined.status_code == 201, joined.text
        await _cached_on(bob, f"/api/workspaces/{ws}/invites")
        user_id = next(
            m["user_id"]
            for m in (await a.get(f"/api/workspaces/{ws}/members")).json()
            if m["role"] == "admin"
        )
        demoted = await a.put(
            f"/api/workspaces/{ws}/members/{user_id}/role", json={"role": "member"}
        )
        assert demoted.status_code == 200, demoted.text
        assert await _until_status(bob, f"/api/workspaces/{ws}/invites", 403) < WITHIN_S
        removed = await a.delete(f"/api/workspaces/{ws}/members/{user_id}")
        assert removed.status_code == 204, removed.text
        assert await _until_status(bob, f"/api/workspaces/{ws}", 404) < WITHIN_S
