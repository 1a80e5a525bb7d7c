"""A team's first minutes in a real browser: sign up, create a workspace, invite someone,
and see them (and the audit trail) in the admin console."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, expect

from tests.e2e.conftest import Shot
from tests.support import PASSWORD, Stack

pytestmark = pytest.mark.e2e


def _watch_console(page: Page, errors: list[str]) -> None:
    """Collect console errors and failed loads: a CSP violation or a script error fails the test."""

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    page.on(
        "response",
        lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))


async def _sign_up(page: Page, name: str, email: str) -> None:
    await page.get_by_label("Name").fill(name)
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()


async def test_signup_workspace_invite_and_admin_view(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    errors: list[str] = []
    suffix = uuid.uuid4().hex[:8]
    owner_email, guest_email = f"owner-{suffix}@example.test", f"guest-{suffix}@example.test"

    owner_ctx = await chromium.new_context(
        base_url=stack.url, viewport={"width": 1280, "height": 800}
    )
    owner = await owner_ctx.new_page()
    _watch_console(owner, errors)

    # Sign up, then create the first workspace.
    await owner.goto("/signup")
    await shot(owner, "01-signup")
    await _sign_up(owner, "Olive Owner", owner_email)
    await expect(owner).to_have_url(re.compile(r"/workspaces/new$"))
    await shot(owner, "02-new-workspace")
    await owner.get_by_label("Workspace name").fill("Acme Research")
    await owner.get_by_role("button", name="Create workspace").click()
    await expect(owner).to_have_url(re.compile(r"/w/[0-9a-f-]{36}$"))
    ws_url = owner.url
    await expect(owner.get_by_role("heading", level=1)).to_have_text("Acme Research")
    await owner.get_by_label("Project name").fill("Launch plan")
    await owner.get_by_role("button", name="Add project").click()
    await expect(owner.locator("#sidebar-projects")).to_contain_text("Launch plan")
    await shot(owner, "03-workspace-home")

    # Create an invite in the admin console (HTMX swaps the link in, shown once).
    await owner.get_by_role("link", name="Admin", exact=True).click()
    await expect(owner.get_by_role("heading", name="Members (1)")).to_be_visible()
    await owner.get_by_label("Role", exact=True).select_option("member")
    await owner.get_by_role("button", name="Create invite link").click()
    link_box = owner.locator("[data-invite-link]")
    await expect(link_box).to_be_visible()
    invite_url = await link_box.input_value()
    assert "/invites/" in invite_url
    await shot(owner, "04-invite-created")

    # The guest opens the link signed out, signs up, comes back and accepts.
    guest_ctx = await chromium.new_context(base_url=stack.url)
    guest = await guest_ctx.new_page()
    _watch_console(guest, errors)
    await guest.goto(invite_url)
    await expect(guest.get_by_role("heading", name="You have been invited")).to_be_visible()
    await shot(guest, "05-invite-signed-out")
    await guest.get_by_role("link", name="Create an account").click()
    await _sign_up(guest, "Gus Guest", guest_email)
    await expect(guest).to_have_url(invite_url)
    await shot(guest, "06-invite-signed-in")
    await guest.get_by_role("button", name="Accept invitation").click()
    await expect(guest).to_have_url(ws_url)
    await expect(guest.get_by_text("You are member in this workspace")).to_be_visible()
    await expect(guest.get_by_role("link", name="Admin", exact=True)).to_have_count(0)
    await shot(guest, "07-guest-workspace")

    # The owner sees the new member and the audit trail, and can filter it.
    await owner.reload()
    await expect(owner.locator(f'tr[data-member="{guest_email}"]')).to_be_visible()
    await expect(owner.get_by_role("heading", name="Members (2)")).to_be_visible()
    await shot(owner, "08-admin-members")
    await owner.get_by_role("link", name="Audit log").click()
    await expect(owner.locator('tr[data-action="invite.accepted"]')).to_have_count(1)
    await expect(owner.locator('tr[data-action="invite.created"]')).to_have_count(1)
    await expect(owner.locator('tr[data-action="workspace.created"]')).to_have_count(1)
    await shot(owner, "09-audit-log")
    await owner.get_by_label("Action").select_option("invite.accepted")
    await expect(owner.locator("tr[data-action]")).to_have_count(1)
    await expect(owner).to_have_url(re.compile(r"action=invite\.accepted"))
    await shot(owner, "10-audit-filtered")
    for tab, heading in (("Keys", "Workspace provider keys"), ("Policy", "Key and model policy"),
                         ("Usage", "Usage, last 30 days")):  # fmt: skip
        await owner.get_by_role("link", name=tab, exact=True).click()
        await expect(owner.get_by_role("heading", name=heading)).to_be_visible()
        await shot(owner, f"10-admin-{tab.lower()}")

    # The chat and compare skeletons render with the model picker.
    await owner.goto(ws_url + "/c/new")
    await expect(owner.get_by_label("Model", exact=True)).to_be_visible()
    await shot(owner, "11-new-chat")
    await owner.goto(ws_url + "/compare")
    await shot(owner, "12-compare")

    # Narrow screen: the sidebar folds behind the menu button, reachable by keyboard.
    await owner.set_viewport_size({"width": 390, "height": 844})
    await owner.goto(ws_url)
    await expect(owner.locator("#sidebar")).to_be_hidden()
    await owner.get_by_role("button", name="Menu").focus()
    await owner.keyboard.press("Enter")
    await expect(owner.locator("#sidebar")).to_be_visible()
    await shot(owner, "13-narrow-sidebar")

    await owner_ctx.close()
    await guest_ctx.close()
    assert errors == []
