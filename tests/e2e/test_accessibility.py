"""axe-core on every page a team uses outside the chat, wide (1366x900) and narrow (390x844).

A fresh owner signs up, creates a workspace, adds a workspace OpenAI key, a personal key and an
invite, so the pages have rows and forms rather than empty states. Every serious or critical
axe violation on every page is collected and reported together, so one run lists all of them.
The chat and compare pages are checked by the chat tests (``assert_accessible`` from
tests/e2e/a11y.py).
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import Shot
from tests.e2e.test_keys_journey import _add_key
from tests.e2e.test_team_onboarding import _sign_up, _watch_console
from tests.support import Stack

pytestmark = pytest.mark.e2e

WIDE: ViewportSize = {"width": 1366, "height": 900}
NARROW: ViewportSize = {"width": 390, "height": 844}


class _Checker:
    """Runs axe on a page, screenshots it, and keeps every failure for one report at the end."""

    def __init__(self, shot: Shot, label: str) -> None:
        self.shot, self.label = shot, label
        self.failures: list[str] = []
        self.count = 0

    async def __call__(self, page: Page, name: str) -> None:
        self.count += 1
        await self.shot(page, f"{self.label}-{self.count:02d}-{name}")
        try:
            await assert_accessible(page, f"{name} at {self.label}")
        except AssertionError as failure:
            self.failures.append(str(failure))


async def _signed_out_pages(browser: Browser, stack: Stack, viewport: ViewportSize,
                            check: _Checker, errors: list[str]) -> None:  # fmt: skip
    ctx = await browser.new_context(base_url=stack.url, viewport=viewport)
    page = await ctx.new_page()
    _watch_console(page, errors)
    await page.goto("/signup")
    await check(page, "signup")
    await page.goto("/login")
    await check(page, "login")
    before = len(errors)
    await page.get_by_label("Email").fill("nobody@example.test")
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#form-error")).to_be_visible()
    # The refused sign-in answers 401 on purpose; only that load error is expected here.
    errors[before:] = [e for e in errors[before:] if "401" not in e]
    await check(page, "login-error")
    await ctx.close()


@pytest.mark.parametrize("viewport", [WIDE, NARROW], ids=["1366x900", "390x844"])
async def test_pages_have_no_serious_axe_violations(
    chromium: Browser, stack: Stack, shot: Shot, viewport: ViewportSize
) -> None:
    errors: list[str] = []
    check = _Checker(shot, f"{viewport['width']}x{viewport['height']}")
    await _signed_out_pages(chromium, stack, viewport, check, errors)

    ctx = await chromium.new_context(base_url=stack.url, viewport=viewport)
    page = await ctx.new_page()
    _watch_console(page, errors)
    await page.goto("/signup")
    await _sign_up(page, "Ada Access", f"a11y-{uuid.uuid4().hex[:8]}@example.test")
    await expect(page).to_have_url(re.compile(r"/workspaces/new$"))
    await check(page, "new-workspace")
    await page.get_by_label("Workspace name").fill("Access Lab")
    await page.get_by_role("button", name="Create workspace").click()
    await expect(page).to_have_url(re.compile(r"/w/[0-9a-f-]{36}$"))
    ws_url = page.url
    await page.get_by_label("Project name").fill("Screen readers")
    await page.get_by_role("button", name="Add project").click()
    await expect(page.locator("#sidebar-projects")).to_contain_text("Screen readers")
    await check(page, "workspace-home")
    if viewport is NARROW:
        await page.get_by_role("button", name="Menu").click()
        await expect(page.locator("#sidebar")).to_be_visible()
        await check(page, "workspace-home-menu-open")

    await page.goto(ws_url + "/admin/keys")
    await _add_key(page, "OpenAI", "Team OpenAI", "sk-a11y-openai-0001")
    await expect(page.locator("[data-flash]")).to_contain_text("OpenAI accepted this key.")
    await check(page, "admin-keys")

    await page.goto("/keys")
    await _add_key(page, "OpenAI", "My OpenAI", "sk-a11y-personal-0002")
    await expect(page.locator("[data-flash]")).to_contain_text("OpenAI accepted this key.")
    await check(page, "my-keys")

    await page.goto(ws_url + "/admin")
    await expect(page.get_by_role("heading", name="Members (1)")).to_be_visible()
    await check(page, "admin-members")
    await page.get_by_label("Role", exact=True).select_option("member")
    await page.get_by_role("button", name="Create invite link").click()
    link_box = page.locator("[data-invite-link]")
    await expect(link_box).to_be_visible()
    invite_url = await link_box.input_value()
    await check(page, "admin-invites")

    for path, name in (("/admin/policy", "admin-policy"), ("/admin/usage", "admin-usage"),
                       ("/admin/audit", "admin-audit")):  # fmt: skip
        await page.goto(ws_url + path)
        await expect(page.locator("main h1, main h2").first).to_be_visible()
        await check(page, name)

    guest_ctx = await chromium.new_context(base_url=stack.url, viewport=viewport)
    guest = await guest_ctx.new_page()
    _watch_console(guest, errors)
    await guest.goto(invite_url)
    await expect(guest.get_by_role("heading", name="You have been invited")).to_be_visible()
    await check(guest, "invite-signed-out")
    await guest_ctx.close()
    await ctx.close()

    assert check.count >= 12
    problems = check.failures + [f"console or load error: {e}" for e in errors]
    assert not problems, "\n\n".join(problems)
