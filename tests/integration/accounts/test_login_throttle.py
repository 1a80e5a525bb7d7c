"""Sign-in throttling: a stranger's wrong guesses do not lock the owner out of their own address.

Two client addresses are real ones: the loopback network is a /8, so an httpx client bound to
127.0.0.2 and one bound to 127.0.0.3 reach the app from different source addresses, and the app
sees each as the peer address (no X-Forwarded-For, which the test stack does not trust).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import sqlalchemy as sa

from tests.support import PASSWORD, Stack, UserClient
from workspace.accounts import ratelimit
from workspace.runtime import Runtime

ADDRESS_A = "127.0.0.2"  # the attacker's
ADDRESS_B = "127.0.0.3"  # the owner's own


@asynccontextmanager
async def _from(stack: Stack, address: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(base_url=stack.url, transport=transport, timeout=30) as client:
        yield client


async def _login(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/auth/login", json={"email": email, "password": password})


async def _forget_addresses(runtime: Runtime) -> None:
    """Other tests sign in too: give back the addresses this file used."""
    async with runtime.sessionmaker() as session:
        await session.execute(
            sa.text("DELETE FROM rate_limit_counters WHERE bucket IN (:a, :b)"),
            {"a": f"login-ip:{ADDRESS_A}", "b": f"login-ip:{ADDRESS_B}"},
        )
        await session.commit()


async def test_failures_from_one_address_do_not_lock_the_owner_out_of_another(
    stack: Stack, runtime: Runtime, alice: UserClient
) -> None:
    limit = stack.settings.login_limit_per_account
    try:
        async with _from(stack, ADDRESS_A) as attacker:
            for _ in range(limit):
                resp = await _login(attacker, alice.email, "wrong-password!")
                assert resp.status_code == 401, resp.text
        async with _from(stack, ADDRESS_B) as owner:
            resp = await _login(owner, alice.email, PASSWORD)
            assert resp.status_code == 200, resp.text
            assert (await owner.get("/api/auth/me")).json()["email"] == alice.email
        async with _from(stack, ADDRESS_A) as attacker:
            # Even the right password is refused from the address that made the guesses.
            resp = await _login(attacker, alice.email, PASSWORD)
        assert resp.status_code == 429
        assert resp.json()["code"] == "login_rate_limited"
        assert 0 < int(resp.headers["retry-after"]) <= stack.settings.login_window_s
    finally:
        await _forget_addresses(runtime)


async def test_the_peer_address_is_what_counts_when_forwarded_for_is_not_trusted(
    stack: Stack, runtime: Runtime, alice: UserClient
) -> None:
    assert not stack.settings.trust_forwarded_for
    try:
        async with _from(stack, ADDRESS_A) as attacker:
            for n in range(stack.settings.login_limit_per_account):
                # A made-up header per attempt must not buy a fresh counter.
                resp = await attacker.post(
                    "/api/auth/login",
                    json={"email": alice.email, "password": "wrong-password!"},
                    headers={"X-Forwarded-For": f"10.0.0.{n}"},
                )
                assert resp.status_code == 401
            resp = await attacker.post(
                "/api/auth/login",
                json={"email": alice.email, "password": PASSWORD},
                headers={"X-Forwarded-For": "10.9.9.9"},
            )
        assert resp.status_code == 429
    finally:
        await _forget_addresses(runtime)


async def test_an_account_under_attack_from_everywhere_is_locked_for_all_addresses(
    stack: Stack, runtime: Runtime, alice: UserClient
) -> None:
    # A distributed attack: failures for this account from many addresses, recorded directly.
    async with runtime.sessionmaker() as session:
        for _ in range(stack.settings.login_limit_per_account_all_ips):
            await ratelimit.hit(
                session, f"login-account:{alice.email}", stack.settings.login_window_s
            )
        await session.commit()
    try:
        async with _from(stack, ADDRESS_B) as owner:
            resp = await _login(owner, alice.email, PASSWORD)
        assert resp.status_code == 429
        assert resp.json()["code"] == "login_rate_limited"
        assert "retry-after" in resp.headers
    finally:
        await _forget_addresses(runtime)
