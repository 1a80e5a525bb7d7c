"""Canary: unique keys go through every flow, then no piece of them is anywhere.

Flows: add, validate, rotate (to a second canary), a model call, chat and compare over SSE, a
provider error that echoes the key back (the simulator does that on purpose), admin listing and
the audit log. Then every captured log line, every HTTP response body (SSE frames included) and
a full ``pg_dump`` of the database are searched for the keys and every 8-character piece of them.
"""

from __future__ import annotations

import logging
import subprocess
import uuid

import pytest

from adapters.types import Message, Secret, Text
from tests.integration.calls.conftest import member_of
from tests.support import Stack, UserClient
from workspace.calls.gateway import start_call
from workspace.calls.request import CallRequest, RequestKey
from workspace.runtime import Runtime


def _pieces(secret: str, size: int = 8) -> set[str]:
    return {secret[i : i + size] for i in range(len(secret) - size + 1)}


def _pg_dump(stack: Stack) -> str:
    assert stack.postgres is not None
    result = subprocess.run(
        [str(stack.postgres.bin_dir / "pg_dump"), "--data-only", stack.postgres.dsn],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return result.stdout


class _Recorder:
    """Keeps every response body the test sees."""

    def __init__(self) -> None:
        self.bodies: list[str] = []

    async def __call__(self, response) -> None:  # type: ignore[no-untyped-def]
        await response.aread()
        self.bodies.append(response.text)
        self.bodies.append(str(dict(response.headers)))


async def test_canary_key_appears_nowhere(
    alice: UserClient, stack: Stack, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    canary = f"sk-canary{uuid.uuid4().hex}CANARY"
    rotated = f"sk-canary{uuid.uuid4().hex}ROTATED"
    echoed = f"sk-invalid{uuid.uuid4().hex}ECHOED"
    recorder = _Recorder()
    alice.http.event_hooks["response"].append(recorder)

    ws = await alice.create_workspace("Canary")
    cred = (
        await alice.post(
            f"/api/workspaces/{ws}/credentials", json={"provider": "openai", "secret": canary}
        )
    ).json()
    await alice.post(f"/api/workspaces/{ws}/credentials/{cred['id']}/validate")
    call = await start_call(
        runtime,
        CallRequest(member_of(alice, ws), "openai/gpt-4o", (Message("user", (Text("hi"),)),)),
    )
    async for _ in call.events():
        pass
    await alice.put(
        f"/api/workspaces/{ws}/credentials/{cred['id']}/secret", json={"secret": rotated}
    )
    # A bad key the provider echoes back in its error message.
    bad = await alice.post(
        f"/api/workspaces/{ws}/credentials", json={"provider": "openai", "secret": echoed}
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_credentials"
    hi = (Message("user", (Text("hi"),)),)
    bad_call = await start_call(
        runtime,
        CallRequest(
            member_of(alice, ws),
            "openai/gpt-4o",
            hi,
            request_key=RequestKey("openai", Secret(echoed)),
        ),
    )
    async for _ in bad_call.events():
        pass
    assert bad_call.outcome.error_code == "invalid_credentials"
    # Chat and compare over SSE on the rotated workspace key, and a chat on the echoed key
    # sent per request (its provider error travels back in an SSE error event).
    conv = (await alice.post(f"/api/workspaces/{ws}/conversations", json={"title": "c"})).json()
    chat = await alice.post(
        f"/api/conversations/{conv['id']}/messages",
        json={"content": "hi", "model": "openai/gpt-4o"},
    )
    assert "message.end" in chat.text
    compared = await alice.post(
        f"/api/conversations/{conv['id']}/compare",
        json={"content": "both?", "models": ["openai/gpt-4o", "openai/gpt-4o-mini"]},
    )
    assert compared.text.count("message.end") == 2
    conv2 = (await alice.post(f"/api/workspaces/{ws}/conversations", json={"title": "d"})).json()
    refused = await alice.post(
        f"/api/conversations/{conv2['id']}/messages",
        json={"content": "hi", "model": "openai/gpt-4o"},
        headers={"X-Provider": "openai", "X-Provider-Key": echoed},
    )
    assert "invalid_credentials" in refused.text
    await alice.get(f"/api/conversations/{conv['id']}")
    await alice.get(f"/api/workspaces/{ws}/credentials")
    await alice.get(f"/api/workspaces/{ws}/audit")
    await alice.get(f"/api/workspaces/{ws}/usage")

    haystacks = {
        "logs": caplog.text + "\n".join(r.getMessage() for r in caplog.records),
        "responses": "\n".join(recorder.bodies),
        "database": _pg_dump(stack),
        "outcome": f"{call.outcome} {bad_call.outcome}",
    }
    # The haystacks are real: fingerprints are in the responses and the dump, and logs were kept.
    assert cred["fingerprint"] in haystacks["responses"]
    assert cred["fingerprint"] in haystacks["database"]
    assert "credential.created" in haystacks["database"]
    for secret in (canary, rotated, echoed):
        for where, text in haystacks.items():
            leaked = [piece for piece in _pieces(secret) if piece in text]
            # A fingerprint shows 3 + 4 characters: shorter than any 8-character piece.
            assert not leaked, f"{where} holds {leaked[:3]} of a secret"
