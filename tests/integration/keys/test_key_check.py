"""POST /api/keys/check: the provider's verdict on a key, with nothing written anywhere."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import sqlalchemy as sa

from tests.support import Stack, UserClient
from workspace.runtime import Runtime


async def _counts(runtime: Runtime) -> tuple[int, int]:
    async with runtime.engine.connect() as conn:
        creds = (await conn.execute(sa.text("SELECT count(*) FROM credentials"))).scalar_one()
        audit = (await conn.execute(sa.text("SELECT count(*) FROM audit_events"))).scalar_one()
    return int(creds), int(audit)


async def test_a_check_answers_and_stores_nothing(alice: UserClient, runtime: Runtime) -> None:
    before = await _counts(runtime)
    good = await alice.post(
        "/api/keys/check", json={"provider": "anthropic", "secret": " sk-ant-check-00000001 "}
    )
    bad = await alice.post(
        "/api/keys/check", json={"provider": "openai", "secret": "sk-invalid-check-000002"}
    )
    assert good.status_code == 200, good.text
    assert good.json() == {
        "provider": "anthropic",
        "status": "valid",
        "message": good.json()["message"],
        "fingerprint": "sk-...0001",
    }
    assert bad.json()["status"] == "invalid"
    assert "check-000002" not in bad.text
    assert await _counts(runtime) == before


@pytest.mark.parametrize(
    ("provider", "code"),
    [
        ("nope", "invalid_input"),
        ("openai_compatible", "invalid_input"),
        ("claude_code", "invalid_input"),
    ],
)
async def test_providers_that_cannot_be_checked(
    alice: UserClient, provider: str, code: str
) -> None:
    resp = await alice.post("/api/keys/check", json={"provider": provider, "secret": "k" * 20})
    assert (resp.status_code, resp.json()["code"]) == (422, code)


async def test_a_check_needs_a_signed_in_caller(anon: httpx.AsyncClient) -> None:
    resp = await anon.post("/api/keys/check", json={"provider": "openai", "secret": "sk-x" * 5})
    assert resp.status_code == 401


async def test_checks_are_limited_per_user(
    alice: UserClient, bob: UserClient, stack: Stack
) -> None:
    limit = stack.settings.key_checks_per_hour
    body = {"provider": "openai", "secret": "sk-limit-check-00000009"}
    for start in range(0, limit, 10):
        batch = [alice.post("/api/keys/check", json=body) for _ in range(min(10, limit - start))]
        assert all(r.status_code == 200 for r in await asyncio.gather(*batch))
    over = await alice.post("/api/keys/check", json=body)
    assert (over.status_code, over.json()["code"]) == (429, "rate_limited")
    assert int(over.headers["Retry-After"]) > 0
    assert (await bob.post("/api/keys/check", json=body)).status_code == 200
