"""Sign-up, login, logout, sessions, CSRF and API tokens."""

from __future__ import annotations

import uuid

import httpx

from tests.support import PASSWORD, Stack, UserClient


async def test_signup_sets_a_secure_session_cookie(anon: httpx.AsyncClient) -> None:
    email = f"new-{uuid.uuid4().hex[:8]}@example.test"
    resp = await anon.post("/api/auth/signup", json={"email": email, "password": PASSWORD})
    assert resp.status_code == 201
    cookie = resp.headers["set-cookie"].lower()
    assert "sb_session=" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert resp.json()["email"] == email
    assert "password" not in resp.text


async def test_plain_http_cookie_is_not_secure(anon: httpx.AsyncClient) -> None:
    # Over TLS (or a trusted proxy) the flag is set: tests/unit/test_session_cookie.py.
    email = f"plain-{uuid.uuid4().hex[:8]}@example.test"
    resp = await anon.post("/api/auth/signup", json={"email": email, "password": PASSWORD})
    assert "secure" not in resp.headers["set-cookie"].lower()


async def test_duplicate_email_is_a_conflict(alice: UserClient, anon: httpx.AsyncClient) -> None:
    resp = await anon.post(
        "/api/auth/signup", json={"email": alice.email.upper(), "password": PASSWORD}
    )
    assert resp.status_code == 409
    assert resp.json()["code"] == "email_taken"


async def test_short_password_is_refused(anon: httpx.AsyncClient) -> None:
    resp = await anon.post(
        "/api/auth/signup", json={"email": "x@example.test", "password": "short"}
    )
    assert resp.status_code == 422
    assert resp.json()["code"] == "invalid_input"


async def test_password_is_stored_as_argon2(alice: UserClient, stack: Stack) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(stack.settings.database_url or "")
    async with engine.connect() as conn:
        stored = (
            await conn.execute(
                text("SELECT password_hash FROM users WHERE email=:e"), {"e": alice.email}
            )
        ).scalar_one()
    await engine.dispose()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


async def test_login_and_logout(alice: UserClient, stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        resp = await client.post(
            "/api/auth/login", json={"email": alice.email, "password": PASSWORD}
        )
        assert resp.status_code == 200
        csrf = resp.json()["csrf_token"]
        assert (await client.get("/api/auth/me")).status_code == 200
        out = await client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
        assert out.status_code == 204
        assert (await client.get("/api/auth/me")).status_code == 401


async def test_wrong_password_is_401(alice: UserClient, anon: httpx.AsyncClient) -> None:
    resp = await anon.post(
        "/api/auth/login", json={"email": alice.email, "password": "nope-nope-nope"}
    )
    assert resp.status_code == 401
    assert resp.json()["code"] == "invalid_login"


async def test_login_is_rate_limited_per_account(alice: UserClient, stack: Stack) -> None:
    limit = stack.settings.login_limit_per_account
    async with httpx.AsyncClient(base_url=stack.url) as client:
        for _ in range(limit):
            resp = await client.post(
                "/api/auth/login", json={"email": alice.email, "password": "wrong-password!"}
            )
            assert resp.status_code == 401
        resp = await client.post(
            "/api/auth/login", json={"email": alice.email, "password": PASSWORD}
        )
    assert resp.status_code == 429
    assert resp.json()["code"] == "login_rate_limited"
    assert 0 < int(resp.headers["retry-after"]) <= stack.settings.login_window_s


async def test_login_is_rate_limited_per_ip(stack: Stack) -> None:
    from sqlalchemy import text

    from workspace.accounts import ratelimit
    from workspace.db.sessions import make_engine, make_sessionmaker

    # Fill this client's IP bucket directly, then one more attempt must be refused.
    engine = make_engine(stack.settings.database_url or "", pool_size=1)
    async with make_sessionmaker(engine)() as session:
        await ratelimit.hit(session, "login-ip:127.0.0.1", stack.settings.login_window_s)
        await session.execute(
            text("UPDATE rate_limit_counters SET count = :n WHERE bucket = 'login-ip:127.0.0.1'"),
            {"n": stack.settings.login_limit_per_ip},
        )
        await session.commit()
    try:
        async with httpx.AsyncClient(base_url=stack.url) as client:
            resp = await client.post(
                "/api/auth/login", json={"email": "someone@example.test", "password": PASSWORD}
            )
        assert resp.status_code == 429
    finally:
        async with make_sessionmaker(engine)() as session:
            await session.execute(
                text("DELETE FROM rate_limit_counters WHERE bucket LIKE 'login-ip:%'")
            )
            await session.commit()
        await engine.dispose()


async def test_cookie_writes_need_the_csrf_token(alice: UserClient) -> None:
    resp = await alice.http.post(
        "/api/workspaces", json={"name": "x"}, headers={"X-CSRF-Token": "forged"}
    )
    assert resp.status_code == 403
    assert resp.json()["code"] == "csrf_failed"
    del alice.http.headers["X-CSRF-Token"]
    resp = await alice.http.post("/api/workspaces", json={"name": "x"})
    assert resp.status_code == 403


async def test_api_token_is_shown_once_hashed_and_revocable(
    alice: UserClient, stack: Stack
) -> None:
    created = await alice.post("/api/tokens", json={"name": "ci"})
    assert created.status_code == 201
    token = created.json()["token"]
    assert token.startswith("sb_")
    listed = (await alice.get("/api/tokens")).json()
    assert token not in str(listed)
    assert listed[0]["hint"].endswith(token[-4:])
    async with httpx.AsyncClient(
        base_url=stack.url, headers={"Authorization": f"Bearer {token}"}
    ) as api:
        # Bearer clients need no CSRF token.
        assert (await api.post("/api/workspaces", json={"name": "via token"})).status_code == 201
        assert (await alice.get("/api/tokens")).json()[0]["last_used_at"] is not None
        assert (await alice.delete(f"/api/tokens/{created.json()['id']}")).status_code == 204
        assert (await api.get("/api/workspaces")).status_code == 401


async def test_unauthenticated_requests_get_401(anon: httpx.AsyncClient) -> None:
    resp = await anon.get("/api/workspaces")
    assert resp.status_code == 401
    assert resp.json()["code"] == "not_authenticated"
