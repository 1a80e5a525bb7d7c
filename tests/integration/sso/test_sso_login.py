"""Signing in with a real OpenID provider on loopback: accounts, groups, policy, logout."""

from __future__ import annotations

import re
import time
import uuid

import httpx
import pyotp
from sqlmodel import select

from tests.integration.sso.conftest import SsoStack, acme_user, form_token, mock_login
from tests.support import PASSWORD
from workspace.accounts.models import User
from workspace.audit.models import AuditEvent
from workspace.audit.service import Actor
from workspace.runtime import Runtime
from workspace.sso.models import SsoIdentity
from workspace.sso.policy import PolicyChange, save_policy
from workspace.teams import service as teams
from workspace.teams.models import Membership
from workspace.teams.roles import Role


async def _workspace_mapped(
    runtime: Runtime, groups: dict[str, Role], *, require_sso: bool = False
) -> uuid.UUID:
    """A workspace (owned by a fresh password user) whose groups at the mock IdP give roles."""
    async with runtime.sessionmaker() as db:
        owner = User(email=f"owner-{uuid.uuid4().hex[:8]}@example.test", name="O",
                     password_hash="")  # fmt: skip
        db.add(owner)
        await db.flush()
        ws = await teams.create_workspace(db, Actor(owner.id, None), owner.id, "SSO team")
        change = PolicyChange(require_sso, False, "mock", groups)
        await save_policy(db, Actor(owner.id, None), ws.id, change)
        await db.commit()
        return ws.id


async def _user(runtime: Runtime, email: str) -> User | None:
    async with runtime.sessionmaker() as db:
        return (await db.exec(select(User).where(User.email == email))).first()


async def _role(runtime: Runtime, ws: uuid.UUID, user_id: uuid.UUID) -> str | None:
    async with runtime.sessionmaker() as db:
        row = await db.get(Membership, (ws, user_id))
        return row.role if row else None


async def test_first_login_creates_the_account_with_the_role_of_its_group(
    sso_stack: SsoStack, web: httpx.AsyncClient, runtime: Runtime
) -> None:
    ws = await _workspace_mapped(runtime, {"engineering": Role.MEMBER, "leads": Role.ADMIN})
    sub, email = acme_user(sso_stack, ["engineering"])
    done = await mock_login(web, sub, next_path=f"/w/{ws}")
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"/w/{ws}"
    assert (await web.get(f"/w/{ws}")).status_code == 200
    user = await _user(runtime, email)
    assert user is not None and user.password_hash == ""
    assert await _role(runtime, ws, user.id) == "member"
    async with runtime.sessionmaker() as db:
        actions = (await db.exec(select(AuditEvent.action).where(
            AuditEvent.target_id == str(user.id)))).all()  # fmt: skip
    assert "sso.account_created" in actions and "sso.group_role_changed" in actions


async def test_group_changes_follow_at_the_next_login(
    sso_stack: SsoStack, web: httpx.AsyncClient, runtime: Runtime
) -> None:
    ws = await _workspace_mapped(runtime, {"engineering": Role.MEMBER, "leads": Role.ADMIN})
    sub, email = acme_user(sso_stack, ["engineering", "leads"])
    await mock_login(web, sub)
    user = await _user(runtime, email)
    assert user is not None
    assert await _role(runtime, ws, user.id) == "admin"
    acme_user_claims = {"email": email, "email_verified": True, "groups": ["engineering"]}
    httpx.put(f"{sso_stack.mock_issuer}/users/{sub}", json=acme_user_claims)
    await mock_login(web, sub)
    assert await _role(runtime, ws, user.id) == "member"
    httpx.put(f"{sso_stack.mock_issuer}/users/{sub}", json=acme_user_claims | {"groups": []})
    await mock_login(web, sub)
    assert await _role(runtime, ws, user.id) is None


async def test_a_replayed_callback_is_refused(
    sso_stack: SsoStack, web: httpx.AsyncClient, runtime: Runtime
) -> None:
    sub, _ = acme_user(sso_stack, [])
    start = await web.get("/sso/mock/start")
    async with httpx.AsyncClient() as idp:
        consent = await idp.post(start.headers["location"], data={"sub": sub})
    callback = consent.headers["location"]
    assert (await web.get(callback)).status_code == 303
    again = await web.get(callback)
    assert again.status_code == 400
    assert "already used" in again.text
    # The same code with a fresh flow's state: the IdP refuses the code itself.
    fresh = await web.get("/sso/mock/start")
    state = httpx.URL(fresh.headers["location"]).params["state"]
    code = httpx.URL(callback).params["code"]
    replay = await web.get("/sso/mock/callback", params={"code": code, "state": state})
    assert replay.status_code == 400
    assert "refused the authorization code" in replay.text


async def test_a_wrong_state_is_refused_and_nothing_is_created(
    sso_stack: SsoStack, web: httpx.AsyncClient, runtime: Runtime
) -> None:
    sub, email = acme_user(sso_stack, [])
    start = await web.get("/sso/mock/start")
    async with httpx.AsyncClient() as idp:
        consent = await idp.post(start.headers["location"], data={"sub": sub})
    code = httpx.URL(consent.headers["location"]).params["code"]
    resp = await web.get("/sso/mock/callback", params={"code": code, "state": "forged"})
    assert resp.status_code == 400
    assert "state did not match" in resp.text
    assert "sb_session" not in web.cookies
    assert await _user(runtime, email) is None


async def test_a_redirect_uri_the_idp_does_not_know_is_refused_there(
    sso_stack: SsoStack, web: httpx.AsyncClient
) -> None:
    start = await web.get("/sso/elsewhere/start")
    async with httpx.AsyncClient() as idp:
        resp = await idp.get(start.headers["location"])
    assert resp.status_code == 400
    assert "location" not in resp.headers


async def test_an_unverified_email_of_an_existing_account_is_not_linked(
    sso_stack: SsoStack, web: httpx.AsyncClient, runtime: Runtime
) -> None:
    email = f"victim-{uuid.uuid4().hex[:8]}@example.test"
    signup = await web.post("/api/auth/signup", json={"email": email, "password": PASSWORD})
    assert signup.status_code == 201
    web.cookies.clear()
    sub = f"attacker-{uuid.uuid4().hex[:8]}"
    httpx.put(f"{sso_stack.mock_issuer}/users/{sub}", json={"email": email,
                                                             "email_verified": False})  # fmt: skip
    resp = await mock_login(web, sub)
    assert resp.status_code == 400
    assert "cannot be linked" in resp.text
    assert "sb_session" not in web.cookies
    async with runtime.sessionmaker() as db:
        found = await db.exec(select(SsoIdentity).where(SsoIdentity.subject == sub))
        assert found.first() is None


async def test_a_verified_email_links_only_after_the_password(
    sso_stack: SsoStack, web: httpx.AsyncClient, runtime: Runtime
) -> None:
    email = f"linker-{uuid.uuid4().hex[:8]}@example.test"
    await web.post("/api/auth/signup", json={"email": email, "password": PASSWORD})
    web.cookies.clear()
    sub = f"link-{uuid.uuid4().hex[:8]}"
    httpx.put(f"{sso_stack.mock_issuer}/users/{sub}", json={"email": email,
                                                             "email_verified": True})  # fmt: skip
    resp = await mock_login(web, sub)
    assert resp.headers["location"] == "/sso/link"
    page = await web.get("/sso/link")
    assert email in page.text
    wrong = await web.post("/sso/link", data={"csrf_token": form_token(page.text),
                                              "password": "not the password"})  # fmt: skip
    assert wrong.status_code == 401
    assert "sb_session" not in web.cookies
    right = await web.post("/sso/link", data={"csrf_token": form_token(page.text),
                                              "password": PASSWORD})  # fmt: skip
    assert right.status_code == 303
    assert "sb_session" in web.cookies
    web.cookies.clear()
    again = await mock_login(web, sub)  # linked: straight in from now on
    assert again.status_code == 303 and again.headers["location"] == "/"


async def test_require_sso_keeps_password_sessions_out(
    sso_stack: SsoStack, web: httpx.AsyncClient, runtime: Runtime
) -> None:
    ws = await _workspace_mapped(runtime, {"staff": Role.MEMBER}, require_sso=True)
    sub, email = acme_user(sso_stack, ["staff"])
    await mock_login(web, sub)
    assert (await web.get(f"/w/{ws}")).status_code == 200
    # The same person with a password session (set one, sign in with it) is turned away.
    user = await _user(runtime, email)
    assert user is not None
    async with runtime.sessionmaker() as db:
        from workspace.accounts.passwords import hash_password

        row = await db.get(User, user.id)
        assert row is not None
        row.password_hash = await hash_password(PASSWORD)
        db.add(row)
        await db.commit()
    async with httpx.AsyncClient(base_url=sso_stack.url) as other:
        login = await other.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        resp = await other.get(f"/api/workspaces/{ws}")
        assert resp.status_code == 403
        assert resp.json()["code"] == "sso_required"


async def test_logout_offers_the_idps_logout(sso_stack: SsoStack, web: httpx.AsyncClient) -> None:
    sub, _ = acme_user(sso_stack, [])
    await mock_login(web, sub)
    page = await web.get("/logout")
    csrf = form_token(page.text)
    resp = await web.post("/logout", data={"csrf_token": csrf}, headers={"x-csrf-token": csrf})
    assert resp.status_code == 200
    assert f"{sso_stack.mock_issuer}/oauth2/end_session?client_id=" in resp.text.replace(
        "&amp;", "&"
    )
    assert (await web.get("/api/auth/me")).status_code == 401


async def test_the_client_secret_is_in_vault_only(sso_stack: SsoStack, runtime: Runtime) -> None:
    from workspace.sso.client_secret import client_secret

    secret = await client_secret(runtime.secrets, "mock")
    assert secret
    assert secret not in sso_stack.settings.model_dump_json()


async def test_the_sign_in_policy_api_refuses_what_would_lock_its_author_out(
    sso_stack: SsoStack, web: httpx.AsyncClient
) -> None:
    signup = await web.post("/api/auth/signup", json={
        "email": f"api-{uuid.uuid4().hex[:8]}@example.test", "password": PASSWORD})  # fmt: skip
    web.headers["x-csrf-token"] = signup.json()["csrf_token"]
    ws = (await web.post("/api/workspaces", json={"name": "Policy API"})).json()["id"]
    url = f"/api/workspaces/{ws}/sign-in-policy"
    assert (await web.get(url)).json() == {
        "require_sso": False, "require_two_factor": False, "sso_provider": None, "group_roles": {}
    }  # fmt: skip
    mapping = {"sso_provider": "mock", "group_roles": {"eng": "member"}}
    saved = await web.put(url, json=mapping)
    assert saved.status_code == 200, saved.text
    assert saved.json()["group_roles"] == {"eng": "member"}
    locked_out = await web.put(url, json=mapping | {"require_sso": True})
    assert locked_out.status_code == 422
    assert "lock you out" in locked_out.json()["detail"]
    owner = await web.put(url, json={"sso_provider": "mock", "group_roles": {"eng": "owner"}})
    assert owner.status_code == 422
    unknown = await web.put(url, json={"sso_provider": "nope"})
    assert unknown.status_code == 422


async def test_linking_an_account_with_two_factor_also_needs_its_code(
    sso_stack: SsoStack, web: httpx.AsyncClient
) -> None:
    email = f"tfa-link-{uuid.uuid4().hex[:8]}@example.test"
    csrf = (await web.post("/api/auth/signup", json={"email": email, "password": PASSWORD})).json()[
        "csrf_token"
    ]
    begin = await web.post("/account/two-factor/begin", data={"csrf_token": csrf})
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', begin.text)
    assert secret
    totp = pyotp.TOTP(secret.group(1))
    await web.post("/account/two-factor/confirm", data={"csrf_token": csrf, "code": totp.now()})
    web.cookies.clear()
    sub = f"tfa-{uuid.uuid4().hex[:8]}"
    httpx.put(f"{sso_stack.mock_issuer}/users/{sub}", json={"email": email,
                                                             "email_verified": True})  # fmt: skip
    assert (await mock_login(web, sub)).headers["location"] == "/sso/link"
    page = await web.get("/sso/link")
    assert 'name="code"' in page.text
    token = form_token(page.text)
    no_code = await web.post("/sso/link", data={"csrf_token": token, "password": PASSWORD})
    assert no_code.status_code == 401
    assert "sb_session" not in web.cookies
    code = totp.at(time.time() + 30)
    linked = await web.post("/sso/link", data={"csrf_token": token, "password": PASSWORD,
                                               "code": code})  # fmt: skip
    assert linked.status_code == 303, linked.text
    assert "sb_session" in web.cookies


async def test_api_tokens_open_an_sso_workspace_only_for_accounts_with_that_idp(
    sso_stack: SsoStack, web: httpx.AsyncClient, runtime: Runtime
) -> None:
    ws = await _workspace_mapped(runtime, {"staff": Role.MEMBER}, require_sso=True)
    sub, _ = acme_user(sso_stack, ["staff"])
    await mock_login(web, sub)
    me = await web.get("/api/auth/me", headers={"x-csrf-token": ""})
    csrf = me.json()["csrf_token"]
    made = await web.post("/api/tokens", json={"name": "ci"}, headers={"x-csrf-token": csrf})
    assert made.status_code == 201, made.text
    sso_token = made.json()["token"]
    async with httpx.AsyncClient(base_url=sso_stack.url) as other:
        signup = await other.post("/api/auth/signup", json={
            "email": f"pw-{uuid.uuid4().hex[:8]}@example.test", "password": PASSWORD})  # fmt: skip
        other.headers["x-csrf-token"] = signup.json()["csrf_token"]
        pw_token = (await other.post("/api/tokens", json={"name": "ci"})).json()["token"]
        async with runtime.sessionmaker() as db:
            db.add(Membership(workspace_id=ws, user_id=uuid.UUID(signup.json()["id"]),
                              role="member"))  # fmt: skip
            await db.commit()
    async with httpx.AsyncClient(base_url=sso_stack.url) as api:
        ok = await api.get(
            f"/api/workspaces/{ws}", headers={"authorization": f"Bearer {sso_token}"}
        )
        assert ok.status_code == 200, ok.text
        refused = await api.get(
            f"/api/workspaces/{ws}", headers={"authorization": f"Bearer {pw_token}"}
        )
        assert refused.status_code == 403
        assert refused.json()["code"] == "sso_required"
