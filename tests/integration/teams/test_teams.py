"""Workspaces, roles, invites, the last-owner rule and the audit trail."""

from __future__ import annotations

import httpx

from tests.support import Stack, UserClient, new_user


async def test_creator_is_owner_and_sees_only_own_workspaces(
    alice: UserClient, bob: UserClient
) -> None:
    ws = await alice.create_workspace("Alpha")
    await bob.create_workspace("Beta")
    mine = (await alice.get("/api/workspaces")).json()
    assert [w["id"] for w in mine] == [ws]
    assert mine[0]["role"] == "owner"


async def test_invite_is_single_use(alice: UserClient, bob: UserClient, stack: Stack) -> None:
    ws = await alice.create_workspace()
    invite = (await alice.post(f"/api/workspaces/{ws}/invites", json={"role": "member"})).json()
    assert invite["url"].endswith(invite["token"])
    assert (await bob.post(f"/api/invites/{invite['token']}/accept")).status_code == 201
    async with new_user(stack, "carol") as carol:
        again = await carol.post(f"/api/invites/{invite['token']}/accept")
        assert again.status_code == 410
        assert again.json()["code"] == "invite_invalid"
    listed = (await alice.get(f"/api/workspaces/{ws}/invites")).json()
    assert listed[0]["status"] == "accepted"
    assert "token" not in listed[0] or listed[0]["token"] is None


async def test_invite_for_an_email_only_works_for_that_email(
    alice: UserClient, bob: UserClient
) -> None:
    ws = await alice.create_workspace()
    invite = (
        await alice.post(
            f"/api/workspaces/{ws}/invites", json={"role": "member", "email": "someone@else.test"}
        )
    ).json()
    resp = await bob.post(f"/api/invites/{invite['token']}/accept")
    assert resp.status_code == 410


async def test_expired_invite_is_refused(alice: UserClient, bob: UserClient, stack: Stack) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    ws = await alice.create_workspace()
    invite = (await alice.post(f"/api/workspaces/{ws}/invites", json={"role": "member"})).json()
    engine = create_async_engine(stack.settings.database_url or "")
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE invites SET expires_at = now() - interval '1 minute' WHERE id = :i"),
            {"i": invite["id"]},
        )
    await engine.dispose()
    assert (await bob.post(f"/api/invites/{invite['token']}/accept")).status_code == 410


async def test_revoked_invite_is_refused(alice: UserClient, bob: UserClient) -> None:
    ws = await alice.create_workspace()
    invite = (await alice.post(f"/api/workspaces/{ws}/invites", json={"role": "member"})).json()
    assert (await alice.delete(f"/api/workspaces/{ws}/invites/{invite['id']}")).status_code == 204
    assert (await bob.post(f"/api/invites/{invite['token']}/accept")).status_code == 410


async def test_viewer_cannot_write(alice: UserClient, bob: UserClient) -> None:
    ws = await alice.create_workspace()
    await bob.join(alice, ws, "viewer")
    assert (await bob.get(f"/api/workspaces/{ws}/projects")).status_code == 200
    resp = await bob.post(f"/api/workspaces/{ws}/projects", json={"name": "nope"})
    assert resp.status_code == 403
    assert resp.json()["code"] == "permission_denied"
    assert (await bob.patch(f"/api/workspaces/{ws}", json={"name": "x"})).status_code == 403


async def test_member_cannot_manage_members(
    alice: UserClient, bob: UserClient, stack: Stack
) -> None:
    ws = await alice.create_workspace()
    await bob.join(alice, ws, "member")
    assert (
        await bob.post(f"/api/workspaces/{ws}/projects", json={"name": "ok"})
    ).status_code == 201
    resp = await bob.put(f"/api/workspaces/{ws}/members/{alice.id}/role", json={"role": "viewer"})
    assert resp.status_code == 403
    assert (await bob.post(f"/api/workspaces/{ws}/invites", json={})).status_code == 403
    async with new_user(stack, "carol") as carol:
        await carol.join(alice, ws, "viewer")
        assert (await bob.delete(f"/api/workspaces/{ws}/members/{carol.id}")).status_code == 403


async def test_admin_cannot_demote_or_remove_the_owner(alice: UserClient, bob: UserClient) -> None:
    ws = await alice.create_workspace()
    await bob.join(alice, ws, "admin")
    resp = await bob.put(f"/api/workspaces/{ws}/members/{alice.id}/role", json={"role": "member"})
    assert resp.status_code == 403
    assert (await bob.delete(f"/api/workspaces/{ws}/members/{alice.id}")).status_code == 403
    resp = await bob.post(f"/api/workspaces/{ws}/invites", json={"role": "owner"})
    assert resp.status_code == 403
    members = (await alice.get(f"/api/workspaces/{ws}/members")).json()
    assert {m["user_id"]: m["role"] for m in members}[alice.id] == "owner"


async def test_last_owner_cannot_leave_or_be_demoted(alice: UserClient, bob: UserClient) -> None:
    ws = await alice.create_workspace()
    resp = await alice.put(f"/api/workspaces/{ws}/members/{alice.id}/role", json={"role": "admin"})
    assert resp.status_code == 409
    assert resp.json()["code"] == "last_owner"
    resp = await alice.delete(f"/api/workspaces/{ws}/members/{alice.id}")
    assert resp.status_code == 409
    # With a second owner, the first may step down.
    await bob.join(alice, ws, "admin")
    assert (
        await alice.put(f"/api/workspaces/{ws}/members/{bob.id}/role", json={"role": "owner"})
    ).status_code == 200
    assert (await alice.delete(f"/api/workspaces/{ws}/members/{alice.id}")).status_code == 204
    assert (await alice.get(f"/api/workspaces/{ws}")).status_code == 404


async def test_member_can_leave(alice: UserClient, bob: UserClient) -> None:
    ws = await alice.create_workspace()
    await bob.join(alice, ws, "viewer")
    assert (await bob.delete(f"/api/workspaces/{ws}/members/{bob.id}")).status_code == 204
    assert (await bob.get(f"/api/workspaces/{ws}")).status_code == 404


async def test_changes_write_audit_rows(alice: UserClient, bob: UserClient) -> None:
    ws = await alice.create_workspace()
    await bob.join(alice, ws, "member")
    await alice.put(f"/api/workspaces/{ws}/members/{bob.id}/role", json={"role": "admin"})
    await alice.delete(f"/api/workspaces/{ws}/members/{bob.id}")
    events = (await alice.get(f"/api/workspaces/{ws}/audit")).json()
    actions = [e["action"] for e in events]
    assert actions[:4] == [
        "member.removed",
        "member.role_changed",
        "invite.accepted",
        "invite.created",
    ]
    assert events[1]["details"] == {"from": "member", "to": "admin"}
    assert events[0]["ip"] == "127.0.0.1"
    only = (
        await alice.get(f"/api/workspaces/{ws}/audit", params={"action": "invite.created"})
    ).json()
    assert [e["action"] for e in only] == ["invite.created"]


async def test_audit_log_is_append_only_in_the_database(stack: Stack, alice: UserClient) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.ext.asyncio import create_async_engine

    await alice.create_workspace()
    engine = create_async_engine(stack.settings.database_url or "")
    try:
        for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
            async with engine.begin() as conn:
                try:
                    await conn.execute(text(statement))
                except DBAPIError as exc:
                    assert "append-only" in str(exc)
                else:
                    raise AssertionError(f"{statement} was allowed")
    finally:
        await engine.dispose()


async def test_members_cannot_read_the_audit_log(alice: UserClient, bob: UserClient) -> None:
    ws = await alice.create_workspace()
    await bob.join(alice, ws, "member")
    assert (await bob.get(f"/api/workspaces/{ws}/audit")).status_code == 403


async def test_projects_crud(alice: UserClient) -> None:
    ws = await alice.create_workspace()
    created = (await alice.post(f"/api/workspaces/{ws}/projects", json={"name": "Docs"})).json()
    pid = created["id"]
    patched = await alice.patch(
        f"/api/workspaces/{ws}/projects/{pid}", json={"description": "all docs"}
    )
    assert patched.json()["description"] == "all docs"
    assert len((await alice.get(f"/api/workspaces/{ws}/projects")).json()) == 1
    assert (await alice.delete(f"/api/workspaces/{ws}/projects/{pid}")).status_code == 204
    assert (await alice.get(f"/api/workspaces/{ws}/projects/{pid}")).status_code == 404


async def test_unauthenticated_invite_accept_is_401(anon: httpx.AsyncClient) -> None:
    assert (await anon.post("/api/invites/whatever/accept")).status_code == 401
