"""Vault sealed is a 503 ``secret_store_unavailable``; unsealing recovers without a restart."""

from __future__ import annotations

import httpx

from tests.support import Stack, UserClient


async def test_sealed_vault_is_503_and_unseal_recovers(
    alice: UserClient, stack: Stack, anon: httpx.AsyncClient
) -> None:
    assert stack.openbao is not None
    ws = await alice.create_workspace()
    cred = (
        await alice.post(
            f"/api/workspaces/{ws}/credentials",
            json={"provider": "openai", "secret": "sk-seal-test-0000"},
        )
    ).json()
    stack.openbao.seal()
    try:
        resp = await alice.post(f"/api/workspaces/{ws}/credentials/{cred['id']}/validate")
        assert resp.status_code == 503
        assert resp.json()["code"] == "secret_store_unavailable"
        added = await alice.post(
            f"/api/workspaces/{ws}/credentials",
            json={"provider": "openai", "secret": "sk-during-seal-1"},
        )
        assert added.status_code == 503
        ready = await anon.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["vault"] == "unavailable"
    finally:
        stack.openbao.unseal()
    resp = await alice.post(f"/api/workspaces/{ws}/credentials/{cred['id']}/validate")
    assert resp.status_code == 200, resp.text
    # Nothing half-saved while sealed: only the first key exists.
    assert len((await alice.get(f"/api/workspaces/{ws}/credentials")).json()) == 1
    assert (await anon.get("/readyz")).status_code == 200
