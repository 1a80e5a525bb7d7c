"""Credential-file logins on the real stack: Vault storage, the advisory lock, and the
acceptance test: one expired Claude Code login, 20 concurrent calls from two processes, exactly
one refresh.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from adapters.errors import InvalidCredentials
from adapters.manager import ProviderRegistry, make_plugin_manager
from adapters.oauth.claude_code import ClaudeCodeProvider
from adapters.types import ChatRequest, ErrorEvent, Finish, Message, Text, fingerprint
from tests.integration.keys.oauth_refresh_worker import (
    CONCURRENCY_ENV,
    CREDENTIAL_ENV,
    SIMULATOR_ENV,
    claude_config,
    fire,
)
from tests.support import Stack, UserClient
from workspace.audit.models import AuditEvent
from workspace.audit.service import Actor
from workspace.db.sessions import make_engine, make_sessionmaker
from workspace.keys.models import Credential, vault_path
from workspace.keys.oauth_service import (
    CredentialFileNotPersonal,
    CredentialFileRejected,
    ProviderNotEnabled,
    add_oauth_credential,
)
from workspace.keys.oauth_store import FIELD, VaultOAuthStore, load_oauth_credential
from workspace.keys.service import Owner
from workspace.secrets.vault import SecretStore, SecretStoreUnavailable

ROOT = Path(__file__).resolve().parents[3]
PING = ChatRequest("claude-haiku-4-5", (Message("user", (Text("ping"),)),))
PER_PROCESS = 10


@dataclass
class Keys:
    engine: AsyncEngine
    secrets: SecretStore
    simulator_url: str


@pytest.fixture
async def keys(stack: Stack) -> AsyncIterator[Keys]:
    assert stack.settings.database_url is not None
    assert stack.simulator_url is not None
    engine = make_engine(stack.settings.database_url, pool_size=PER_PROCESS + 2)
    try:
        yield Keys(engine, SecretStore(stack.settings), stack.simulator_url)
    finally:
        await engine.dispose()


def claude_file(*, access: str, refresh: str, expires_in_s: float) -> dict[str, object]:
    return {
        "claudeAiOauth": {
            "accessToken": access,
            "refreshToken": refresh,
            "expiresAt": int((time.time() + expires_in_s) * 1000),
            "scopes": ["user:inference", "user:profile"],
            "subscriptionType": "max",
        }
    }


async def stored_login(keys: Keys, user_id: str, data: dict[str, object]) -> Credential:
    """A personal Claude Code credential row with `data` in Vault, as the app stores it."""
    user = uuid.UUID(user_id)
    row = Credential(
        scope="personal",
        user_id=user,
        provider="claude_code",
        label=f"Claude Code {uuid.uuid4().hex[:6]}",  # labels are unique per owner
        kind="oauth_credentials",
        fingerprint="...",
        status="valid",
        created_by=user,
    )
    row.vault_version = await keys.secrets.write(vault_path(row), {FIELD: json.dumps(data)})
    async with make_sessionmaker(keys.engine)() as session:
        session.add(row)
        await session.commit()
    return row


async def vault_file(keys: Keys, row: Credential) -> dict[str, object]:
    data, _ = await keys.secrets.read(vault_path(row), use_cache=False)
    value = json.loads(data[FIELD])
    assert isinstance(value, dict)
    return value


async def row_of(keys: Keys, credential_id: uuid.UUID) -> Credential:
    async with make_sessionmaker(keys.engine)() as session:
        row = await session.get(Credential, credential_id)
    assert row is not None
    return row


def refresh_calls(keys: Keys) -> int:
    body = httpx.get(f"{keys.simulator_url}/_simulator/requests?limit=0").json()
    return int(body["refresh_calls"]["claude"])


def worker_env(stack: Stack, keys: Keys, row: Credential) -> dict[str, str]:
    s = stack.settings
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": s.database_url or "",
        "VAULT_ADDR": s.vault_addr or "",
        "VAULT_AUTH_METHOD": s.vault_auth_method,
        "VAULT_KV_MOUNT": s.vault_kv_mount,
        SIMULATOR_ENV: keys.simulator_url,
        CREDENTIAL_ENV: str(row.id),
        CONCURRENCY_ENV: str(PER_PROCESS),
    }
    for name, value in (
        ("VAULT_ROLE_ID", s.vault_role_id),
        ("VAULT_SECRET_ID_FILE", s.vault_secret_id_file),
        ("VAULT_TOKEN_FILE", s.vault_token_file),
    ):
        if value is not None:
            env[name] = str(value)
    return env


async def test_twenty_calls_from_two_processes_refresh_an_expired_login_once(
    stack: Stack, keys: Keys, alice: UserClient
) -> None:
    pasted_refresh = f"claude-rt-{uuid.uuid4().hex}"
    row = await stored_login(
        keys, alice.id, claude_file(access="expired-at", refresh=pasted_refresh, expires_in_s=-60)
    )
    provider = ClaudeCodeProvider(claude_config(keys.simulator_url))
    before = refresh_calls(keys)
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.integration.keys.oauth_refresh_worker",
        cwd=ROOT,
        env=worker_env(stack, keys, row),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert worker.stdin is not None and worker.stdout is not None and worker.stderr is not None
    try:
        ready = await asyncio.wait_for(worker.stdout.readline(), timeout=60)
        assert ready.strip() == b"ready", (await worker.stderr.read()).decode()[-2000:]

        credentials = [
            await load_oauth_credential(keys.engine, keys.secrets, row) for _ in range(PER_PROCESS)
        ]
        worker.stdin.write(b"go\n")
        await worker.stdin.drain()
        here = await fire(provider, credentials)
        out, err = await asyncio.wait_for(worker.communicate(), timeout=90)
    finally:
        if worker.returncode is None:
            worker.kill()
            await worker.wait()
    assert worker.returncode == 0, err.decode()[-2000:]
    there = json.loads(out.decode().strip().splitlines()[-1])["results"]

    results = [*here, *there]
    assert len(results) == 2 * PER_PROCESS
    assert all(r["finish"] == "stop" and not r["errors"] for r in results), results
    assert all("ping" in str(r["text"]) for r in results)
    assert refresh_calls(keys) - before == 1
    stored = await vault_file(keys, row)
    newest = stored["claudeAiOauth"]["refreshToken"]  # type: ignore[index]
    assert newest != pasted_refresh
    assert str(newest).startswith("sk-ant-oat-sim-rt-")
    after = await row_of(keys, row.id)
    assert after.status == "valid"
    assert after.fingerprint == fingerprint(str(newest))
    # The stored token is the live one of its family: refreshing with it works.
    grant = httpx.post(
        f"{keys.simulator_url}/oauth/claude/token",
        json={"grant_type": "refresh_token", "refresh_token": newest, "client_id": "x"},
    )
    assert grant.status_code == 200, grant.text


async def test_a_dead_login_is_marked_expired_in_postgres(keys: Keys, alice: UserClient) -> None:
    # Use a refresh token once, so the stored copy holds the rotated-away (dead) token.
    dead = f"claude-rt-{uuid.uuid4().hex}"
    used = httpx.post(
        f"{keys.simulator_url}/oauth/claude/token",
        json={"grant_type": "refresh_token", "refresh_token": dead, "client_id": "x"},
    )
    assert used.status_code == 200
    row = await stored_login(
        keys, alice.id, claude_file(access="expired-at", refresh=dead, expires_in_s=-60)
    )
    provider = ClaudeCodeProvider(claude_config(keys.simulator_url))
    before = refresh_calls(keys)
    credential = await load_oauth_credential(keys.engine, keys.secrets, row)

    events = [e async for e in provider.stream(PING, credential)]

    errors = [e.error for e in events if isinstance(e, ErrorEvent)]
    assert isinstance(errors[0], InvalidCredentials)
    assert events[-1] == Finish("error")
    assert refresh_calls(keys) - before == 1
    after = await row_of(keys, row.id)
    assert after.status == "expired"
    assert "paste the fresh credential file" in after.status_message


async def test_the_advisory_lock_is_exclusive_per_credential(keys: Keys, alice: UserClient) -> None:
    row = await stored_login(
        keys, alice.id, claude_file(access="sim-ok-a", refresh="rt-lock", expires_in_s=3600)
    )
    other = await stored_login(
        keys, alice.id, claude_file(access="sim-ok-b", refresh="rt-lock-2", expires_in_s=3600)
    )
    first = VaultOAuthStore(keys.engine, keys.secrets, row)
    second = VaultOAuthStore(keys.engine, keys.secrets, row)
    unrelated = VaultOAuthStore(keys.engine, keys.secrets, other)

    async with await first.lock():
        blocked = not await acquired_within(second, 0.5)
        independent = await acquired_within(unrelated, 5)
    released = await acquired_within(second, 5)

    assert blocked
    assert independent
    assert released


async def acquired_within(store: VaultOAuthStore, seconds: float) -> bool:
    try:
        async with asyncio.timeout(seconds), await store.lock():
            return True
    except TimeoutError:
        return False


async def test_save_is_check_and_set_against_the_version_read(
    keys: Keys, alice: UserClient
) -> None:
    row = await stored_login(
        keys, alice.id, claude_file(access="sim-ok-c", refresh="rt-cas", expires_in_s=3600)
    )
    store = VaultOAuthStore(keys.engine, keys.secrets, row)
    data = await store.load()
    await keys.secrets.write(vault_path(row), {FIELD: json.dumps(data)})  # someone else wrote

    with pytest.raises(SecretStoreUnavailable):  # Vault refuses the stale check-and-set
        await store.save(data)


def registry(keys: Keys) -> ProviderRegistry:
    return ProviderRegistry(
        make_plugin_manager(load_entrypoints=False), claude_config(keys.simulator_url)
    )


async def test_add_stores_the_file_in_vault_and_fingerprints_the_refresh_token(
    keys: Keys, alice: UserClient
) -> None:
    user = uuid.UUID(alice.id)
    refresh = f"claude-rt-{uuid.uuid4().hex}"
    text = json.dumps(claude_file(access="sim-ok-add", refresh=refresh, expires_in_s=3600))
    async with make_sessionmaker(keys.engine)() as session:
        credential, result = await add_oauth_credential(
            session,
            keys.secrets,
            registry(keys),
            Actor(user, None),
            Owner(user_id=user),
            provider_id="claude_code",
            label="my Max plan",
            credentials_json=text,
            enabled=frozenset({"claude_code"}),
        )
        audit = (
            await session.exec(select(AuditEvent).where(AuditEvent.target_id == str(credential.id)))
        ).all()

    assert result.ok, result.message
    assert credential.kind == "oauth_credentials"
    assert credential.scope == "personal"
    assert credential.fingerprint == fingerprint(refresh)
    assert await vault_file(keys, credential) == json.loads(text)
    assert [a.action for a in audit] == ["credential.created"]
    assert refresh not in json.dumps(audit[0].details)


async def test_add_refuses_a_provider_the_operator_did_not_enable(
    keys: Keys, alice: UserClient
) -> None:
    user = uuid.UUID(alice.id)
    text = json.dumps(claude_file(access="sim-ok-x", refresh="rt-x", expires_in_s=3600))
    async with make_sessionmaker(keys.engine)() as session:
        with pytest.raises(ProviderNotEnabled) as caught:
            await add_oauth_credential(
                session,
                keys.secrets,
                registry(keys),
                Actor(user, None),
                Owner(user_id=user),
                provider_id="claude_code",
                label="",
                credentials_json=text,
                enabled=frozenset({"gemini_cli"}),
            )
    assert caught.value.status == 403
    assert caught.value.code == "provider_not_enabled"


async def test_add_refuses_a_workspace_owner_and_a_broken_file(
    keys: Keys, alice: UserClient
) -> None:
    user = uuid.UUID(alice.id)
    ws = uuid.UUID(await alice.create_workspace())
    good = json.dumps(claude_file(access="sim-ok-y", refresh="rt-y", expires_in_s=3600))
    async with make_sessionmaker(keys.engine)() as session:
        with pytest.raises(CredentialFileNotPersonal):
            await add_oauth_credential(
                session,
                keys.secrets,
                registry(keys),
                Actor(user, None),
                Owner(workspace_id=ws),
                provider_id="claude_code",
                label="",
                credentials_json=good,
                enabled=frozenset({"claude_code"}),
            )
        with pytest.raises(CredentialFileRejected) as caught:
            await add_oauth_credential(
                session,
                keys.secrets,
                registry(keys),
                Actor(user, None),
                Owner(user_id=user),
                provider_id="claude_code",
                label="",
                credentials_json='{"claudeAiOauth": {"accessToken": "sim-ok-z"}}',
                enabled=frozenset({"claude_code"}),
            )
    assert "claudeAiOauth.refreshToken" in caught.value.detail
    assert caught.value.status == 422
