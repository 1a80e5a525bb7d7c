"""Sign-up refuses common, breached-list and self-describing passwords (``weak_password``).

The check is offline (zxcvbn's bundled frequency lists); the passwords the project itself uses
(the tests' and the demo's) must keep passing it.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.support import PASSWORD
from workspace.accounts.password_strength import weakness
from workspace.cli.demo import DEMO_EMAIL, DEMO_PASSWORD
from workspace.web.pages import CSRF_FIELD
from workspace.web.routes.auth import FORM_COOKIE


def _email() -> str:
    return f"pw-{uuid.uuid4().hex[:10]}@example.test"


@pytest.mark.parametrize("password", ["password123456", "qwertyuiop", "iloveyou2024"])
async def test_common_password_is_refused_at_sign_up(
    anon: httpx.AsyncClient, password: str
) -> None:
    email = _email()
    resp = await anon.post("/api/auth/signup", json={"email": email, "password": password})
    assert resp.status_code == 422
    body = resp.json()
    assert body["code"] == "weak_password"
    assert body["field"] == "password"
    assert body["detail"].startswith("Choose a harder password. ")
    assert password not in resp.text
    # Nothing was created: the same address can sign up with a good password.
    resp = await anon.post("/api/auth/signup", json={"email": email, "password": PASSWORD})
    assert resp.status_code == 201, resp.text


async def test_password_made_of_the_users_own_email_is_refused(anon: httpx.AsyncClient) -> None:
    local = f"mallory{uuid.uuid4().hex[:6]}"
    resp = await anon.post(
        "/api/auth/signup",
        json={"email": f"{local}@example.test", "password": f"{local}2024", "name": "Mallory"},
    )
    assert resp.status_code == 422
    assert resp.json()["code"] == "weak_password"


async def test_strong_password_passes(anon: httpx.AsyncClient) -> None:
    resp = await anon.post(
        "/api/auth/signup", json={"email": _email(), "password": "orbit staple window 42 kettle"}
    )
    assert resp.status_code == 201, resp.text


async def test_the_projects_own_passwords_pass() -> None:
    assert await weakness(PASSWORD, [_email()]) is None
    assert await weakness(DEMO_PASSWORD, [DEMO_EMAIL, "demo", "Demo User"]) is None


async def test_sign_up_page_shows_why_a_password_is_refused(anon: httpx.AsyncClient) -> None:
    page = await anon.get("/signup")
    assert page.status_code == 200
    form = {CSRF_FIELD: anon.cookies[FORM_COOKIE], "email": _email(), "name": "Q"}
    resp = await anon.post("/signup", data=form | {"password": "qwertyuiop"})
    assert resp.status_code == 422
    assert "Choose a harder password" in resp.text
    assert "qwertyuiop" not in resp.text
