"""Keys in a real browser: a new owner adds the workspace's OpenAI and Anthropic keys in the
admin console, sees their fingerprints (never the keys), then adds a personal key under
"My keys", with keyboard and narrow-screen checks on the way."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.conftest import Shot
from tests.e2e.test_team_onboarding import _sign_up, _watch_console
from tests.support import Stack

pytestmark = pytest.mark.e2e

OPENAI_KEY = "sk-e2e-openai-0001"
ANTHROPIC_KEY = "sk-ant-e2e-anthropic-0002"
PERSONAL_KEY = "sk-e2e-personal-0003"


async def _add_key(page: Page, provider: str, label: str, secret: str) -> None:
    form = page.locator("[data-add-key]")
    await form.get_by_label("Provider", exact=True).select_option(label=provider)
    await form.get_by_label("Label").fill(label)
    await form.get_by_label("API key", exact=True).fill(secret)
    await form.get_by_role("button", name="Add and validate").click()


async def _assert_no_secret(page: Page, *secrets: str) -> None:
    content = await page.content()
    for secret in secrets:
        assert secret not in content
        assert secret not in page.url


async def test_admin_and_personal_keys(chromium: Browser, stack: Stack, shot: Shot) -> None:
    errors: list[str] = []
    email = f"keys-{uuid.uuid4().hex[:8]}@example.test"
    ctx = await chromium.new_context(base_url=stack.url, viewport={"width": 1280, "height": 800})
    page = await ctx.new_page()
    _watch_console(page, errors)

    # Sign up and create a workspace.
    await page.goto("/signup")
    await _sign_up(page, "Kim Keys", email)
    await expect(page).to_have_url(re.compile(r"/workspaces/new$"))
    await page.get_by_label("Workspace name").fill("Key Labs")
    await page.get_by_role("button", name="Create workspace").click()
    await expect(page).to_have_url(re.compile(r"/w/[0-9a-f-]{36}$"))
    ws_url = page.url
    await shot(page, "01-workspace")

    # Admin console, keys tab: empty, with the add form (base URL hidden until needed).
    await page.get_by_role("link", name="Admin", exact=True).click()
    await page.get_by_role("link", name="Keys", exact=True).click()
    await expect(page.get_by_role("heading", name="Workspace provider keys")).to_be_visible()
    await expect(page.get_by_text("No workspace keys yet.")).to_be_visible()
    await expect(page.get_by_label("Base URL")).to_be_hidden()
    await page.get_by_label("Provider", exact=True).select_option("openai_compatible")
    await expect(page.get_by_label("Base URL")).to_be_visible()
    await shot(page, "02-admin-keys-empty")

    # Add the OpenAI key: validated on the spot, the sentence next to the new row.
    await _add_key(page, "OpenAI", "Team OpenAI", OPENAI_KEY)
    await expect(page).to_have_url(re.compile(r"/admin/keys\?done=added&key="))
    flash = page.locator("[data-flash]")
    await expect(flash).to_contain_text("OpenAI accepted this key.")
    row = page.locator('tr[data-fingerprint="sk-...0001"]')
    await expect(row).to_contain_text("Team OpenAI")
    await expect(row).to_contain_text("valid")
    await shot(page, "03-admin-openai-added")

    # Add the Anthropic key; both fingerprints are listed, neither key is.
    await _add_key(page, "Anthropic", "Team Anthropic", ANTHROPIC_KEY)
    await expect(flash).to_contain_text("Anthropic accepted this key.")
    await expect(page.locator("tr[data-key]")).to_have_count(2)
    await expect(page.locator('tr[data-fingerprint="sk-...0002"]')).to_contain_text("Anthropic")
    await expect(page.locator('tr[data-fingerprint="sk-...0001"]')).to_be_visible()
    await _assert_no_secret(page, OPENAI_KEY, ANTHROPIC_KEY)
    await shot(page, "04-admin-fingerprints")

    # Rotate opens by keyboard (details/summary), and Remove asks before it removes.
    rotate = page.locator("details.rotate summary").first
    await rotate.focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_label("New key for “Team OpenAI”")).to_be_visible()
    await shot(page, "05-admin-rotate-open")
    await (
        page.locator('tr[data-fingerprint="sk-...0002"]')
        .get_by_role("button", name="Remove")
        .click()
    )
    await expect(
        page.get_by_role("heading", name=re.compile("Remove “Team Anthropic”"))
    ).to_be_visible()
    await shot(page, "06-admin-remove-confirm")
    await page.get_by_role("link", name="Cancel").click()
    await expect(page.locator("tr[data-key]")).to_have_count(2)

    # My keys, from the shell's account menu: add a personal key.
    await page.goto(ws_url)
    await page.get_by_role("link", name="My keys").click()
    await expect(page).to_have_url(re.compile(r"/keys$"))
    await expect(page.get_by_role("heading", name="My keys", level=1)).to_be_visible()
    await expect(page.get_by_text("No personal keys yet.")).to_be_visible()
    await expect(page.get_by_role("heading", name="Subscription logins")).to_be_visible()
    await shot(page, "07-my-keys-empty")
    await _add_key(page, "OpenAI", "My OpenAI", PERSONAL_KEY)
    await expect(page.locator("[data-flash]")).to_contain_text("OpenAI accepted this key.")
    await expect(page.locator('tr[data-fingerprint="sk-...0003"]')).to_contain_text("My OpenAI")
    await expect(page.locator("tr[data-key]")).to_have_count(1)
    await _assert_no_secret(page, PERSONAL_KEY)
    await shot(page, "08-my-keys-added")

    # Subscription logins: the vendor's terms warning sits above the paste box.
    await page.locator('[data-login="claude_code"] summary').click()
    login = page.locator('[data-login="claude_code"]')
    await expect(login.locator("[data-terms]")).to_contain_text("Anthropic's terms forbid")
    await expect(login.get_by_label("Claude Code credential file (JSON)")).to_be_visible()
    await page.get_by_role("heading", name="My keys", level=1).scroll_into_view_if_needed()
    await shot(page, "09-my-keys-subscription-login")

    # Narrow screen: the key table becomes cards and the add form stays usable.
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.reload()
    await expect(page.locator('tr[data-fingerprint="sk-...0003"]')).to_be_visible()
    await expect(page.get_by_role("button", name=re.compile("^Validate again"))).to_be_visible()
    await expect(page.get_by_label("API key", exact=True)).to_be_visible()
    await shot(page, "10-my-keys-narrow")
    await page.goto(ws_url + "/admin/keys")
    await shot(page, "11-admin-keys-narrow")

    await ctx.close()
    assert errors == []
