"""Credentials API: Vault-only secrets, validation sentences, rotate, delete, isolation."""

from __future__ import annotations

import httpx
import hvac

from tests.support import Stack, UserClient
from workspace.secrets import paths


def _vault(stack: Stack) -> hvac.Client:
    assert stack.openbao is not None
    return stack.openbao.root_client()


async def test_add_workspace_key_is_validated_and_only_fingerprinted(alice: UserClient) -> None:
    ws = await alice.create_workspace()
    secret = "sk-test-abcdefghijklmnop1234"
    resp = await alice.post(
        f"/api/workspaces/{ws}/credentials",
        json={"provider": "openai", "secret": secret, "label": "main"},
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["fingerprint"] == "sk-...1234"
    assert body["status"] == "valid"
    assert body["validation"]["status"] == "valid"
    assert secret not in resp.text
    listed = await alice.get(f"/api/workspaces/{ws}/credentials")
    assert secret not in listed.text
    assert listed.json()[0]["fingerprint"] == "sk-...1234"


async def test_bad_key_is_refused_with_a_sentence_and_not_stored(
    alice: UserClient, stack: Stack
) -> None:
    ws = await alice.create_workspace()
    resp = await alice.post(
        f"/api/workspaces/{ws}/credentials",
        json={"provider": "anthropic", "secret": "sk-ant-invalid-key-0000"},
    )
    assert resp.status_code == 422
    assert resp.headers["content-type"].startswith("application/problem+json")
    body = resp.json()
    assert body["code"] == "invalid_credentials"
    assert body["validation"] == "invalid"
    assert "Anthropic" in body["detail"]
    assert "sk-ant-invalid-key-0000" not in resp.text
    assert (await alice.get(f"/api/workspaces/{ws}/credentials")).json() == []
    # Nothing reached Vault either: the workspace has no credential folder at all.
    try:
        listed = _vault(stack).secrets.kv.v2.list_secrets(
            f"workspaces/{ws}/credentials", mount_point="switchboard"
        )
    except hvac.exceptions.InvalidPath:
        listed = {"data": {"keys": []}}
    assert listed["data"]["keys"] == []


async def test_rate_limited_key_is_reported_as_such(alice: UserClient, stack: Stack) -> None:
    ws = await alice.create_workspace()
    async with httpx.AsyncClient(base_url=stack.simulator_url or "") as sim:
        await sim.post("/_simulator/scenario", json={"model": "*", "error": "rate_limit"})
        try:
            resp = await alice.post(
                f"/api/workspaces/{ws}/credentials",
                json={"provider": "openai", "secret": "sk-busy-key-0001"},
            )
        finally:
            await sim.delete("/_simulator/scenario")
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["status"] == "rate_limited"
    assert "rate" in body["validation"]["message"].lower()
    assert "sk-busy-key-0001" not in resp.text


async def test_secret_lives_in_vault_under_an_id_path(alice: UserClient, stack: Stack) -> None:
    ws = await alice.create_workspace()
    cred = (
        await alice.post(
            f"/api/workspaces/{ws}/credentials",
            json={"provider": "groq", "secret": "gsk_vaulttest_123456"},
        )
    ).json()
    import uuid

    path = paths.workspace_credential(uuid.UUID(ws), uuid.UUID(cred["id"]))
    stored = _vault(stack).secrets.kv.v2.read_secret_version(
        path, mount_point="switchboard", raise_on_deleted_version=True
    )
    assert stored["data"]["data"] == {"secret": "gsk_vaulttest_123456"}


async def test_rotate_validates_first_and_destroys_older_versions(
    alice: UserClient, stack: Stack
) -> None:
    import uuid

    ws = await alice.create_workspace()
    cred = (
        await alice.post(
            f"/api/workspaces/{ws}/credentials",
            json={"provider": "openai", "secret": "sk-first-key-aaaa1111"},
        )
    ).json()
    bad = await alice.put(
        f"/api/workspaces/{ws}/credentials/{cred['id']}/secret",
        json={"secret": "sk-invalid-new-2222"},
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "credential_rejected"
    ok = await alice.put(
        f"/api/workspaces/{ws}/credentials/{cred['id']}/secret",
        json={"secret": "sk-second-key-bbbb3333"},
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["fingerprint"] == "sk-...3333"
    path = paths.workspace_credential(uuid.UUID(ws), uuid.UUID(cred["id"]))
    meta = _vault(stack).secrets.kv.v2.read_secret_metadata(path, mount_point="switchboard")["data"]
    versions = meta["versions"]
    assert versions[str(meta["current_version"])]["destroyed"] is False
    assert all(v["destroyed"] for k, v in versions.items() if k != str(meta["current_version"]))


async def test_delete_leaves_no_readable_vault_version(alice: UserClient, stack: Stack) -> None:
    import uuid

    ws = await alice.create_workspace()
    cred = (
        await alice.post(
            f"/api/workspaces/{ws}/credentials",
            json={"provider": "openai", "secret": "sk-delete-me-0000"},
        )
    ).json()
    await alice.put(
        f"/api/workspaces/{ws}/credentials/{cred['id']}/secret",
        json={"secret": "sk-delete-me-1111"},
    )
    assert (await alice.delete(f"/api/workspaces/{ws}/credentials/{cred['id']}")).status_code == 204
    path = paths.workspace_credential(uuid.UUID(ws), uuid.UUID(cred["id"]))
    try:
        _vault(stack).secrets.kv.v2.read_secret_metadata(path, mount_point="switchboard")
    except hvac.exceptions.InvalidPath:
        pass
    else:
        raise AssertionError("metadata (and so versions) still exist")
    assert (await alice.get(f"/api/workspaces/{ws}/credentials")).json() == []


async def test_another_workspaces_credentials_are_404(alice: UserClient, bob: UserClient) -> None:
    ws_b = await bob.create_workspace()
    cred = (
        await bob.post(
            f"/api/workspaces/{ws_b}/credentials",
            json={"provider": "openai", "secret": "sk-bobs-key-0000"},
        )
    ).json()
    await alice.create_workspace()
    base = f"/api/workspaces/{ws_b}/credentials"
    assert (await alice.get(base)).status_code == 404
    assert (await alice.post(f"{base}/{cred['id']}/validate")).status_code == 404
    assert (
        await alice.put(f"{base}/{cred['id']}/secret", json={"secret": "sk-x-000000"})
    ).status_code == 404
    assert (await alice.delete(f"{base}/{cred['id']}")).status_code == 404
    # Nor through the personal routes.
    assert (await alice.delete(f"/api/me/credentials/{cred['id']}")).status_code == 404
    assert (await bob.get(base)).json()[0]["id"] == cred["id"]


async def test_members_cannot_manage_workspace_keys(alice: UserClient, bob: UserClient) -> None:
    ws = await alice.create_workspace()
    await bob.join(alice, ws, "member")
    resp = await bob.post(
        f"/api/workspaces/{ws}/credentials", json={"provider": "openai", "secret": "sk-member-0000"}
    )
    assert resp.status_code == 403


async def test_personal_keys(alice: UserClient) -> None:
    resp = await alice.post(
        "/api/me/credentials", json={"provider": "anthropic", "secret": "sk-ant-personal-9999"}
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["scope"] == "personal"
    assert [c["fingerprint"] for c in (await alice.get("/api/me/credentials")).json()] == [
        "sk-...9999"
    ]


async def test_audit_rows_for_credential_changes_hold_no_secret(alice: UserClient) -> None:
    ws = await alice.create_workspace()
    cred = (
        await alice.post(
            f"/api/workspaces/{ws}/credentials",
            json={"provider": "openai", "secret": "sk-audited-key-7777"},
        )
    ).json()
    await alice.delete(f"/api/workspaces/{ws}/credentials/{cred['id']}")
    events = await alice.get(f"/api/workspaces/{ws}/audit")
    assert [e["action"] for e in events.json()][:2] == ["credential.deleted", "credential.created"]
    assert "sk-audited-key-7777" not in events.text


async def test_unknown_provider_and_missing_base_url_are_clear_errors(alice: UserClient) -> None:
    ws = await alice.create_workspace()
    resp = await alice.post(
        f"/api/workspaces/{ws}/credentials", json={"provider": "nope", "secret": "x"}
    )
    assert resp.status_code == 422
    resp = await alice.post(
        f"/api/workspaces/{ws}/credentials", json={"provider": "openai_compatible", "secret": "x"}
    )
    assert resp.status_code == 422
