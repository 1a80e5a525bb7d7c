"""Two owners demoting each other at the same moment: the requests queue up on the owner rows.

Each round uses a fresh workspace with exactly two owners and fires both demotions together, so
PostgreSQL really sees them overlap. Before the owner rows were locked in one fixed order, the
pair deadlocked and one side got a 500.
"""

from __future__ import annotations

import asyncio

from tests.support import Stack, UserClient, new_user

ROUNDS = 20


async def _two_owner_workspace(alice: UserClient, bob: UserClient) -> str:
    ws = await alice.create_workspace("Race")
    await bob.join(alice, ws, "admin")
    resp = await alice.put(f"/api/workspaces/{ws}/members/{bob.id}/role", json={"role": "owner"})
    assert resp.status_code == 200, resp.text
    return ws


async def _owners(client: UserClient, ws: str) -> list[str]:
    resp = await client.get(f"/api/workspaces/{ws}/members")
    assert resp.status_code == 200, resp.text
    return [m["user_id"] for m in resp.json() if m["role"] == "owner"]


async def test_owners_demoting_each_other_at_once_leaves_exactly_one_owner(
    alice: UserClient, bob: UserClient
) -> None:
    raced = 0
    for _ in range(ROUNDS):
        ws = await _two_owner_workspace(alice, bob)
        by_alice, by_bob = await asyncio.gather(
            alice.put(f"/api/workspaces/{ws}/members/{bob.id}/role", json={"role": "admin"}),
            bob.put(f"/api/workspaces/{ws}/members/{alice.id}/role", json={"role": "admin"}),
        )
        statuses = sorted([by_alice.status_code, by_bob.status_code])
        assert statuses in ([200, 403], [200, 409]), (by_alice.text, by_bob.text)
        loser = by_alice if by_alice.status_code != 200 else by_bob
        # Overlapping: the loser waited on the owner rows, then found one owner left (409). Its
        # request arrived after the winner's commit: it is an admin now, and an admin cannot
        # demote an owner (403), as if it had asked a moment later. Never both, never a 500.
        raced += loser.json()["code"] == "last_owner"
        assert loser.json()["code"] in ("last_owner", "permission_denied")
        winner = alice if by_alice.status_code == 200 else bob
        assert await _owners(winner, ws) == [winner.id]
    assert raced, "no round overlapped: the test did not exercise the race"


async def test_owners_removing_each_other_at_once_leaves_exactly_one_owner(
    alice: UserClient, bob: UserClient
) -> None:
    for _ in range(ROUNDS):
        ws = await _two_owner_workspace(alice, bob)
        by_alice, by_bob = await asyncio.gather(
            alice.delete(f"/api/workspaces/{ws}/members/{bob.id}"),
            bob.delete(f"/api/workspaces/{ws}/members/{alice.id}"),
        )
        statuses = sorted([by_alice.status_code, by_bob.status_code])
        assert all(s < 500 for s in statuses), (by_alice.text, by_bob.text)
        # The loser is no longer a member, so it is refused (404) rather than removing the winner.
        assert statuses[0] == 204 and statuses[1] in (404, 409), (by_alice.text, by_bob.text)
        winner = alice if by_alice.status_code == 204 else bob
        assert await _owners(winner, ws) == [winner.id]


async def test_both_owners_leaving_at_once_keeps_one(stack: Stack, alice: UserClient) -> None:
    for _ in range(ROUNDS // 2):
        async with new_user(stack, "bob") as bob:
            ws = await _two_owner_workspace(alice, bob)
            left_alice, left_bob = await asyncio.gather(
                alice.delete(f"/api/workspaces/{ws}/members/{alice.id}"),
                bob.delete(f"/api/workspaces/{ws}/members/{bob.id}"),
            )
            statuses = sorted([left_alice.status_code, left_bob.status_code])
            assert statuses == [204, 409], (left_alice.text, left_bob.text)
            stayed = alice if left_alice.status_code == 409 else bob
            assert (left_alice if stayed is alice else left_bob).json()["code"] == "last_owner"
            assert await _owners(stayed, ws) == [stayed.id]
