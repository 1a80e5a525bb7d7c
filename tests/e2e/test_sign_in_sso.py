"""Single sign-on and two-factor in a real browser (Debian's Chromium).

SSO: "Sign in with Mock IdP" -> the consent page of oidc-provider-mock (a real OpenID provider
on loopback) -> back in the workspace with the admin role its group maps to; the admin console's
Sign-in tab shows the provider and the enforcement, and requiring SSO is saved from it.
Two-factor: enrol with the QR page, sign out, sign in with the password and then the code.
"""

from __future__ import annotations

import re
import time
import uuid

import pyotp
import pytest
from playwright.async_api import Browser, expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import Shot
from tests.integration.sso.conftest import SsoStack, acme_user, sso_stack  # noqa: F401
from tests.support import PASSWORD, Stack
from workspace.accounts.models import User
from workspace.audit.service import Actor
from workspace.runtime import Runtime
from workspace.sso.policy import PolicyChange, save_policy
from workspace.teams import service as teams
from workspace.teams.roles import Role

pytestmark = pytest.mark.e2e


async def _team(runtime: Runtime) -> uuid.UUID:
    async with runtime.sessionmaker() as db:
        owner = User(email=f"own-{uuid.uuid4().hex[:8]}@example.test", name="O", password_hash="")
        db.add(owner)
        await db.flush()
        ws = await teams.create_workspace(db, Actor(owner.id, None), owner.id, "Acme research")
        groups = {"research": Role.MEMBER, "research-leads": Role.ADMIN}
        await save_policy(
            db, Actor(owner.id, None), ws.id, PolicyChange(False, False, "mock", groups)
        )
        await db.commit()
        return ws.id


async def test_sign_in_with_the_idp_lands_in_the_workspace_with_the_group_role(
    chromium: Browser,
    sso_stack: SsoStack,  # noqa: F811
    runtime: Runtime,
    shot: Shot,
) -> None:
    ws = await _team(runtime)
    sub, _ = acme_user(sso_stack, ["research", "research-leads"])
    context = await chromium.new_context(base_url=sso_stack.url)
    page = await context.new_page()
    await page.goto("/login")
    await shot(page, "01-login-with-sso-button")
    await assert_accessible(page, "login with SSO buttons")
    await page.get_by_role("link", name="Sign in with Mock IdP").click()
    await expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()
    await page.locator("input[name=sub]").fill(sub)
    await shot(page, "02-idp-consent")
    await page.get_by_role("button", name="Authorize").click()
    await expect(page).to_have_url(re.compile(rf"/w/{ws}"))
    await expect(page.get_by_text("Acme research").first).to_be_visible()
    await shot(page, "03-workspace")

    await page.goto(f"/w/{ws}/admin/sign-in")  # an admin by the group: the console opens
    await expect(page.locator("#enforcement")).to_contain_text("not required")
    await expect(page.get_by_label("Identity provider")).to_have_value("mock")
    await expect(page.get_by_label(re.compile("Group roles"))).to_have_value(
        re.compile("research-leads = admin")
    )
    await page.get_by_label("Require single sign-on with this provider").check()
    await page.get_by_role("button", name="Save sign-in settings").click()
    await expect(page.get_by_text("Sign-in settings saved.")).to_be_visible()
    await expect(page.locator("#enforcement")).to_contain_text("Single sign-on is required")
    await shot(page, "04-admin-sign-in-tab")
    await assert_accessible(page, "admin sign-in tab")
    await context.close()


async def test_two_factor_enrolment_then_sign_in_with_the_code(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    email = f"totp-{uuid.uuid4().hex[:8]}@example.test"
    context = await chromium.new_context(base_url=stack.url)
    page = await context.new_page()
    await page.goto("/signup")
    await page.get_by_label("Name").fill("Tess Totp")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await expect(page).to_have_url(re.compile(r"/workspaces/new$"))

    await page.goto("/account/two-factor")
    await page.get_by_role("button", name="Set up an authenticator app").click()
    await expect(page.locator("figure.qr svg")).to_be_visible()
    secret = (await page.locator("#totp-secret").inner_text()).strip()
    await shot(page, "01-qr-code")
    await assert_accessible(page, "two-factor enrolment")
    await page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    await page.get_by_role("button", name="Turn on").click()
    await expect(page.locator("#recovery-codes li")).to_have_count(10)
    await shot(page, "02-recovery-codes")
    await assert_accessible(page, "recovery codes")

    await page.goto("/logout")
    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(re.compile(r"/login$"))
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(re.compile(r"/login/second-factor$"))
    await page.get_by_label("Code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    await shot(page, "03-code-asked")
    await assert_accessible(page, "second-factor code")
    await page.get_by_role("button", name="Verify").click()
    await expect(page).to_have_url(re.compile(r"/workspaces/new$"))
    await context.close()
