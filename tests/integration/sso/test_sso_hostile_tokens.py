"""ID tokens a real IdP never sends, from the rogue IdP: each refused, nothing created."""

from __future__ import annotations

import uuid

import httpx
import pytest
from joserfc.jwk import RSAKey
from sqlmodel import select

from tests.integration.sso.conftest import SsoStack
from tests.support import PASSWORD
from workspace.accounts.models import User
from workspace.runtime import Runtime
from workspace.sso.models import SsoIdentity


async def _rogue_login(web: httpx.AsyncClient) -> httpx.Response:
    start = await web.get("/sso/rogue/start")
    assert start.status_code == 303, start.text
    async with httpx.AsyncClient() as idp:
        back = await idp.get(start.headers["location"])
    assert back.status_code == 302
    return await web.get(back.headers["location"])


async def _nothing_for(runtime: Runtime, email: str, sub: str) -> None:
    async with runtime.sessionmaker() as db:
        assert (await db.exec(select(User).where(User.email == email))).first() is None
        ids = await db.exec(select(SsoIdentity).where(SsoIdentity.subject == sub))
        assert ids.first() is None


@pytest.fixture
def rogue_user(sso_stack: SsoStack) -> tuple[str, str]:
    sub = f"r-{uuid.uuid4().hex[:10]}"
    email = f"{sub}@rogue.test"
    sso_stack.rogue.claims = {"sub": sub, "email": email, "email_verified": True}
    sso_stack.rogue.mode = "ok"
    return sub, email


async def test_the_rogue_idp_signs_in_when_it_behaves(
    sso_stack: SsoStack, web: httpx.AsyncClient, rogue_user: tuple[str, str]
) -> None:
    resp = await _rogue_login(web)
    assert resp.status_code == 303, resp.text
    assert "sb_session" in web.cookies


@pytest.mark.parametrize(
    ("mode", "says"),
    [
        ("wrong_nonce", "nonce"),
        ("no_nonce", "nonce"),
        ("wrong_issuer", "iss"),
        ("wrong_audience", "aud"),
        ("expired", "expired"),
        ("other_key", "signature was refused"),
        ("alg_none", "signature was refused"),
    ],
)
async def test_a_forged_id_token_is_refused(
    sso_stack: SsoStack,
    web: httpx.AsyncClient,
    runtime: Runtime,
    rogue_user: tuple[str, str],
    mode: str,
    says: str,
) -> None:
    sso_stack.rogue.mode = mode
    resp = await _rogue_login(web)
    assert resp.status_code == 400, resp.text
    assert says in resp.text
    assert "sb_session" not in web.cookies
    await _nothing_for(runtime, rogue_user[1], rogue_user[0])


async def test_an_email_outside_the_allowed_domains_is_refused(
    sso_stack: SsoStack, web: httpx.AsyncClient, runtime: Runtime, rogue_user: tuple[str, str]
) -> None:
    email = f"{rogue_user[0]}@elsewhere.test"
    sso_stack.rogue.claims["email"] = email
    resp = await _rogue_login(web)
    assert resp.status_code == 400
    assert "may not sign in" in resp.text
    await _nothing_for(runtime, email, rogue_user[0])


async def test_an_unverified_email_matching_an_account_is_refused(
    sso_stack: SsoStack, web: httpx.AsyncClient, runtime: Runtime, rogue_user: tuple[str, str]
) -> None:
    email = f"owner-{uuid.uuid4().hex[:8]}@example.test"
    await web.post("/api/auth/signup", json={"email": email, "password": PASSWORD})
    web.cookies.clear()
    sso_stack.rogue.claims |= {"email": email, "email_verified": False}
    resp = await _rogue_login(web)
    assert resp.status_code == 400
    assert "sb_session" not in web.cookies
    async with runtime.sessionmaker() as db:
        ids = await db.exec(select(SsoIdentity).where(SsoIdentity.subject == rogue_user[0]))
        assert ids.first() is None


async def test_a_rotated_signing_key_is_fetched_again(
    sso_stack: SsoStack, web: httpx.AsyncClient, rogue_user: tuple[str, str]
) -> None:
    assert (await _rogue_login(web)).status_code == 303  # the keys are cached now
    web.cookies.clear()
    old = sso_stack.rogue.key
    sso_stack.rogue.key = RSAKey.generate_key(2048, parameters={"kid": "k2"})
    try:
        resp = await _rogue_login(web)
    finally:
        sso_stack.rogue.key = old
    assert resp.status_code == 303, resp.text
