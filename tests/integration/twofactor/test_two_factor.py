"""Two-factor sign-in on the pages: enrol with a QR code, sign in with a code, recovery codes,
throttling, and a workspace that requires it. Real app, PostgreSQL and OpenBao underneath."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pyotp
import pytest

from tests.support import PASSWORD, Stack
from workspace.audit.service import Actor
from workspace.runtime import Runtime
from workspace.sso.policy import PolicyChange, save_policy

_HIDDEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_SECRET = re.compile(r'id="totp-secret">([A-Z2-7]+)<')
_CODES = re.compile(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>")


def _token(html: str) -> str:
    match = _HIDDEN.search(html)
    assert match, "no csrf_token field"
    return match.group(1)


@dataclass
class Enrolled:
    http: httpx.AsyncClient
    email: str
    secret: str
    recovery: list[str]


async def _login(http: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    page = await http.get("/login")
    data = {"csrf_token": _token(page.text), "email": email, "password": password}
    return await http.post("/login", data=data)


async def _code_step(http: httpx.AsyncClient, code: str) -> httpx.Response:
    page = await http.get("/login/second-factor")
    return await http.post(
        "/login/second-factor", data={"csrf_token": _token(page.text), "code": code}
    )


def _next_code(secret: str) -> str:
    """A code of the next 30-second step (each step's code is accepted once)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


@pytest.fixture
async def enrolled(stack: Stack) -> AsyncIterator[Enrolled]:
    """A password account that turned two-factor on through /account/two-factor."""
    email = f"tfa-{uuid.uuid4().hex[:10]}@example.test"
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as http:
        signup = await http.post("/api/auth/signup", json={"email": email, "password": PASSWORD})
        csrf = signup.json()["csrf_token"]
        page = await http.post("/account/two-factor/begin", data={"csrf_token": csrf})
        assert page.status_code == 200, page.text
        assert "<svg" in page.text  # the QR code, inline
        match = _SECRET.search(page.text)
        assert match
        secret = match.group(1)
        done = await http.post(
            "/account/two-factor/confirm",
            data={"csrf_token": csrf, "code": pyotp.TOTP(secret).now()},
        )
        assert done.status_code == 200, done.text
        recovery = _CODES.findall(done.text)
        assert len(recovery) == stack.settings.totp_recovery_codes
        http.cookies.clear()
        yield Enrolled(http, email, secret, recovery)


async def test_a_password_alone_no_longer_signs_in(enrolled: Enrolled) -> None:
    resp = await _login(enrolled.http, enrolled.email)
    assert resp.status_code == 303
    assert resp.headers["location"] == "/login/second-factor"
    assert "sb_session" not in enrolled.http.cookies


async def test_the_code_finishes_the_sign_in(enrolled: Enrolled) -> None:
    await _login(enrolled.http, enrolled.email)
    resp = await _code_step(enrolled.http, _next_code(enrolled.secret))
    assert resp.status_code == 303, resp.text
    assert "sb_session" in enrolled.http.cookies
    assert (await enrolled.http.get("/api/auth/me")).status_code == 200


async def test_a_wrong_code_is_refused(enrolled: Enrolled) -> None:
    await _login(enrolled.http, enrolled.email)
    resp = await _code_step(enrolled.http, "000000")
    assert resp.status_code == 401
    assert "wrong or was already used" in resp.text
    assert "sb_session" not in enrolled.http.cookies


async def test_a_used_code_is_not_accepted_twice(enrolled: Enrolled) -> None:
    code = _next_code(enrolled.secret)
    await _login(enrolled.http, enrolled.email)
    assert (await _code_step(enrolled.http, code)).status_code == 303
    enrolled.http.cookies.clear()
    await _login(enrolled.http, enrolled.email)
    assert (await _code_step(enrolled.http, code)).status_code == 401


async def test_a_recovery_code_works_once(enrolled: Enrolled) -> None:
    await _login(enrolled.http, enrolled.email)
    assert (await _code_step(enrolled.http, enrolled.recovery[0])).status_code == 303
    enrolled.http.cookies.clear()
    await _login(enrolled.http, enrolled.email)
    assert (await _code_step(enrolled.http, enrolled.recovery[0])).status_code == 401


async def test_guessing_codes_is_throttled(stack: Stack, enrolled: Enrolled) -> None:
    await _login(enrolled.http, enrolled.email)
    statuses = [
        (await _code_step(enrolled.http, f"{n:06d}")).status_code
        for n in range(stack.settings.login_limit_per_account + 1)
    ]
    assert statuses[-1] == 429
    assert set(statuses[:-1]) == {401}
    # Even the right code waits out the window now.
    await _login(enrolled.http, enrolled.email)
    assert (await _code_step(enrolled.http, _next_code(enrolled.secret))).status_code == 429


async def test_the_json_login_of_an_enrolled_account_opens_nothing(enrolled: Enrolled) -> None:
    resp = await enrolled.http.post(
        "/api/auth/login", json={"email": enrolled.email, "password": PASSWORD}
    )
    assert resp.status_code == 200
    me = await enrolled.http.get("/api/workspaces")
    assert me.status_code == 403
    assert me.json()["code"] == "two_factor_required"


async def test_a_workspace_requiring_two_factor_turns_away_password_only_members(
    stack: Stack,
) -> None:
    async with (
        httpx.AsyncClient(base_url=stack.url, timeout=30) as admin,
        httpx.AsyncClient(base_url=stack.url, timeout=30) as member,
    ):
        a_email = f"adm-{uuid.uuid4().hex[:8]}@example.test"
        signup = await admin.post("/api/auth/signup", json={"email": a_email, "password": PASSWORD})
        csrf = signup.json()["csrf_token"]
        admin.headers["x-csrf-token"] = csrf
        ws = (await admin.post("/api/workspaces", json={"name": "Strict"})).json()["id"]
        invite = await admin.post(f"/api/workspaces/{ws}/invites", json={"role": "member"})
        m = await member.post(
            "/api/auth/signup",
            json={"email": f"mem-{uuid.uuid4().hex[:8]}@example.test", "password": PASSWORD},
        )
        member.headers["x-csrf-token"] = m.json()["csrf_token"]
        await member.post(f"/api/invites/{invite.json()['token']}/accept")
        # The admin cannot require 2FA before having it: that would lock them out.
        refused = await admin.post(
            f"/w/{ws}/admin/sign-in", data={"csrf_token": csrf, "require_two_factor": "on"}
        )
        assert refused.status_code == 422
        secret = _SECRET.search(
            (await admin.post("/account/two-factor/begin", data={"csrf_token": csrf})).text
        )
        assert secret
        await admin.post(
            "/account/two-factor/confirm",
            data={"csrf_token": csrf, "code": pyotp.TOTP(secret.group(1)).now()},
        )
        saved = await admin.post(
            f"/w/{ws}/admin/sign-in", data={"csrf_token": csrf, "require_two_factor": "on"}
        )
        assert saved.status_code == 200, saved.text
        assert "Two-factor sign-in is <strong>required</strong>" in saved.text
        assert (await admin.get(f"/api/workspaces/{ws}")).status_code == 200
        refused_member = await member.get(f"/api/workspaces/{ws}")
        assert refused_member.status_code == 403
        assert refused_member.json()["code"] == "two_factor_required"
        page = await member.get(f"/w/{ws}")
        assert page.status_code == 403
        assert "/account/two-factor" in page.text


async def test_a_conversation_of_a_strict_workspace_is_refused_by_its_own_address(
    stack: Stack, runtime: Runtime
) -> None:
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as http:
        email = f"conv-{uuid.uuid4().hex[:8]}@example.test"
        signup = await http.post("/api/auth/signup", json={"email": email, "password": PASSWORD})
        http.headers["x-csrf-token"] = signup.json()["csrf_token"]
        ws = (await http.post("/api/workspaces", json={"name": "Strict later"})).json()["id"]
        conv = await http.post(f"/api/workspaces/{ws}/conversations", json={"title": "Plans"})
        assert conv.status_code == 201, conv.text
        conv_id = conv.json()["id"]
        assert (await http.get(f"/api/conversations/{conv_id}")).status_code == 200
        async with runtime.sessionmaker() as db:
            change = PolicyChange(False, True, None, {})
            await save_policy(db, Actor(None, None), uuid.UUID(ws), change)
            await db.commit()
        refused = await http.get(f"/api/conversations/{conv_id}")
        assert refused.status_code == 403
        assert refused.json()["code"] == "two_factor_required"
