"""Sign-up, sign-in and sign-out through the HTML forms."""

from __future__ import annotations

import httpx

from tests.integration.web.conftest import Browser, form_token
from tests.support import PASSWORD, UserClient


async def test_signup_form_creates_an_account_and_signs_it_in(browser: Browser) -> None:
    resp = await browser.signup("Ada")
    assert resp.status_code == 303
    assert resp.headers["location"] == "/"
    assert "sb_session" in browser.http.cookies
    me = await browser.http.get("/api/auth/me")
    assert me.status_code == 200
    assert me.json()["email"] == browser.email
    first = await browser.http.get("/")
    assert first.headers["location"] == "/workspaces/new"


async def test_signup_form_without_its_token_is_refused(browser: Browser) -> None:
    await browser.http.get("/signup")
    resp = await browser.http.post(
        "/signup", data={"email": "x-nocsrf@example.test", "password": PASSWORD, "csrf_token": "x"}
    )
    assert resp.status_code == 403
    assert "sb_session" not in browser.http.cookies


async def test_signup_form_explains_a_short_password(browser: Browser) -> None:
    page = await browser.http.get("/signup")
    resp = await browser.http.post(
        "/signup",
        data={"csrf_token": form_token(page.text), "email": "short@example.test", "password": "x"},
    )
    assert resp.status_code == 422
    assert "at least" in resp.text
    assert 'value="short@example.test"' in resp.text
    assert "sb_session" not in browser.http.cookies


async def test_login_form_signs_in_and_returns_to_next(browser: Browser, alice: UserClient) -> None:
    page = await browser.http.get("/login", params={"next": "/workspaces/new"})
    data = {
        "csrf_token": form_token(page.text),
        "email": alice.email,
        "password": PASSWORD,
        "next": "/workspaces/new",
    }
    resp = await browser.http.post("/login", data=data)
    assert resp.status_code == 303
    assert resp.headers["location"] == "/workspaces/new"
    assert (await browser.http.get("/workspaces/new")).status_code == 200


async def test_login_form_refuses_a_wrong_password(browser: Browser, alice: UserClient) -> None:
    page = await browser.http.get("/login")
    data = {"csrf_token": form_token(page.text), "email": alice.email, "password": "wrong-wrong"}
    resp = await browser.http.post("/login", data=data)
    assert resp.status_code == 401
    assert "Email or password is wrong" in resp.text
    assert "sb_session" not in browser.http.cookies


async def test_login_never_redirects_off_site(browser: Browser, alice: UserClient) -> None:
    page = await browser.http.get("/login")
    data = {
        "csrf_token": form_token(page.text),
        "email": alice.email,
        "password": PASSWORD,
        "next": "//evil.example/steal",
    }
    resp = await browser.http.post("/login", data=data)
    assert resp.headers["location"] == "/"


async def test_logout_form_ends_the_session(owner: Browser) -> None:
    token = await owner.csrf("/workspaces/new")
    resp = await owner.http.post("/logout", data={"csrf_token": token})
    assert resp.status_code == 303
    assert (await owner.http.get("/api/auth/me")).status_code == 401


async def test_signed_out_visitor_is_sent_to_sign_in(
    owner: Browser, anon: httpx.AsyncClient
) -> None:
    ws = await owner.create_workspace()
    resp = await anon.get(f"/w/{ws}")
    assert resp.status_code == 303
    assert resp.headers["location"] == f"/login?next=/w/{ws}"


async def test_page_writes_need_the_session_token(owner: Browser) -> None:
    resp = await owner.http.post("/workspaces", data={"name": "No token"})
    assert resp.status_code == 403
    resp = await owner.http.post("/workspaces", data={"name": "Bad", "csrf_token": "nope"})
    assert resp.status_code == 403


async def test_pages_send_a_strict_content_security_policy(owner: Browser) -> None:
    resp = await owner.http.get("/workspaces/new")
    csp = resp.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert resp.headers["x-content-type-options"] == "nosniff"
