"""Workspace API tokens: one workspace each, a scope, an expiry; admins list and revoke them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx

from tests.support import Stack, UserClient, new_user
from workspace.accounts.models import ApiToken
from workspace.runtime import Runtime
from workspace.sso.models import SignInPolicy


async def _token(user: UserClient, ws: str, **body: object) -> dict[str, object]:
    resp = await user.post(f"/api/workspaces/{ws}/tokens", json={"name": "t", **body})
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def _bearer(stack: Stack, token: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=stack.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


async def test_workspace_token_reaches_its_workspace_only(alice: UserClient, stack: Stack) -> None:
    ws, other = await alice.create_workspace("Mine"), await alice.create_workspace("Other")
    token = await _token(alice, ws)
    assert token["workspace_id"] == ws and token["scope"] == "api"
    async with _bearer(stack, token["token"]) as http:
        assert (await http.get(f"/api/workspaces/{ws}")).status_code == 200
        assert (await http.get(f"/api/workspaces/{other}")).status_code == 404
        conv = await alice.post(f"/api/workspaces/{other}/conversations", json={"title": "x"})
        assert (await http.get(f"/api/conversations/{conv.json()['id']}")).status_code == 404


async def test_models_scope_refused_beyond_listing(alice: UserClient, stack: Stack) -> None:
    ws = await alice.create_workspace()
    token = await _token(alice, ws, scope="models")
    async with _bearer(stack, token["token"]) as http:
        resp = await http.get(f"/api/workspaces/{ws}")
    assert resp.status_code == 403
    assert resp.json()["code"] == "token_scope"


async def test_expired_token_is_refused(alice: UserClient, stack: Stack, runtime: Runtime) -> None:
    ws = await alice.create_workspace()
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    token = await _token(alice, ws, expires_at=soon)
    async with runtime.sessionmaker() as session:
        row = await session.get(ApiToken, uuid.UUID(str(token["id"])))
        assert row is not None
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        session.add(row)
        await session.commit()
    async with _bearer(stack, token["token"]) as http:
        resp = await http.get(f"/api/workspaces/{ws}")
    assert resp.status_code == 401
    assert resp.json()["code"] == "token_expired"


async def test_expiry_in_the_past_is_refused(alice: UserClient) -> None:
    ws = await alice.create_workspace()
    resp = await alice.post(
        f"/api/workspaces/{ws}/tokens", json={"name": "t", "expires_at": "2020-01-01T00:00:00Z"}
    )
    assert resp.status_code == 422
    assert resp.json()["code"] == "token_expiry_past"


async def test_admin_lists_and_revokes_a_members_token(alice: UserClient, stack: Stack) -> None:
    ws = await alice.create_workspace()
    async with new_user(stack, "member") as bob:
        await bob.join(alice, ws, "member")
        token = await _token(bob, ws)
        assert (await bob.get(f"/api/workspaces/{ws}/tokens")).status_code == 403
        listed = (await alice.get(f"/api/workspaces/{ws}/tokens")).json()
        assert [row["token"]["id"] for row in listed] == [token["id"]]
        assert listed[0]["email"] == bob.email and listed[0]["token"]["token"] is None
        revoked = await alice.delete(f"/api/workspaces/{ws}/tokens/{token['id']}")
        assert revoked.status_code == 204
        async with _bearer(stack, token["token"]) as http:
            assert (await http.get(f"/api/workspaces/{ws}")).status_code == 401


async def test_admin_cannot_revoke_another_workspaces_token(
    alice: UserClient, bob: UserClient
) -> None:
    ws, theirs = await alice.create_workspace(), await bob.create_workspace()
    token = await _token(bob, theirs)
    resp = await alice.delete(f"/api/workspaces/{ws}/tokens/{token['id']}")
    assert resp.status_code == 404


async def test_workspace_token_cannot_mint_tokens(alice: UserClient, stack: Stack) -> None:
    ws = await alice.create_workspace()
    token = await _token(alice, ws)
    async with _bearer(stack, token["token"]) as http:
        account = await http.post("/api/tokens", json={"name": "escape"})
        again = await http.post(f"/api/workspaces/{ws}/tokens", json={"name": "forever"})
    assert (account.status_code, account.json()["code"]) == (403, "token_scope")
    assert (again.status_code, again.json()["code"]) == (403, "token_scope")


async def test_workspace_token_lists_only_its_workspace(alice: UserClient, stack: Stack) -> None:
    ws = await alice.create_workspace("Mine")
    await alice.create_workspace("Other")
    token = await _token(alice, ws)
    async with _bearer(stack, token["token"]) as http:
        listed = (await http.get("/api/workspaces")).json()
    assert [w["id"] for w in listed] == [ws]


async def test_gateway_applies_the_workspace_sign_in_policy(
    alice: UserClient, stack: Stack, runtime: Runtime
) -> None:
    ws = await alice.create_workspace()
    token = await _token(alice, ws)
    async with runtime.sessionmaker() as session:
        session.add(SignInPolicy(workspace_id=uuid.UUID(ws), require_two_factor=True))
        await session.commit()
    async with _bearer(stack, token["token"]) as http:
        resp = await http.get("/v1/models")
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "two_factor_required"
