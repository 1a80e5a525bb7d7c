"""The whole journey in a real browser (Debian's Chromium): sign up -> create a workspace -> add
OpenAI and Anthropic keys -> chat -> switch model mid-conversation -> compare three models ->
vote and continue -> the admin sees the usage split (own keys vs platform) and the audit rows.
A screenshot of every step lands in tests/e2e/artifacts/."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.conftest import Shot
from tests.e2e.test_keys_journey import _add_key
from tests.e2e.test_team_onboarding import _sign_up, _watch_console
from tests.support import Stack

pytestmark = pytest.mark.e2e


async def test_signup_keys_chat_switch_compare_vote_usage(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    errors: list[str] = []
    ctx = await chromium.new_context(base_url=stack.url, viewport={"width": 1280, "height": 900})
    page = await ctx.new_page()
    _watch_console(page, errors)

    await page.goto("/signup")
    await _sign_up(page, "Jo Journey", f"journey-{uuid.uuid4().hex[:8]}@example.test")
    await page.get_by_label("Workspace name").fill("Journey Co")
    await page.get_by_role("button", name="Create workspace").click()
    await expect(page).to_have_url(re.compile(r"/w/[0-9a-f-]{36}$"))
    ws_url = page.url
    await shot(page, "01-workspace")

    await page.goto(ws_url + "/admin/keys")
    await _add_key(page, "OpenAI", "OpenAI team key", "sk-journey-openai-0001")
    await expect(page.get_by_text("sk-...0001").first).to_be_visible()
    await _add_key(page, "Anthropic", "Anthropic team key", "sk-ant-journey-0002")
    await expect(page.get_by_text("sk-...0002").first).to_be_visible()
    await shot(page, "02-keys")

    # Chat on OpenAI; the picker says the workspace key pays.
    await page.goto(ws_url + "/c/new")
    picker = page.get_by_label("Model", exact=True)
    await picker.select_option("openai/gpt-4o")
    await expect(picker.locator("option[value='openai/gpt-4o']")).to_contain_text("workspace key")
    await page.get_by_role("textbox", name="Message").fill("Hello there")
    await page.get_by_role("button", name="Send").click()
    await expect(page.locator(".message.assistant").last).to_contain_text(
        "messages=1", timeout=15_000
    )
    await expect(page).to_have_url(re.compile(r"/c/[0-9a-f-]{36}$"))
    await shot(page, "03-chat-openai")

    # Switch to Anthropic mid-conversation: it receives the whole context (3 messages).
    await page.get_by_label("Model", exact=True).select_option("anthropic/claude-sonnet-4-6")
    await page.get_by_role("textbox", name="Message").fill("And what do you think?")
    await page.get_by_role("button", name="Send").click()
    last = page.locator(".message.assistant").last
    await expect(last).to_contain_text("[anthropic/claude-sonnet-4-6] messages=3", timeout=15_000)
    await shot(page, "04-switched-to-anthropic")

    # Compare three models side by side, vote for one and continue with it.
    await page.goto(ws_url + "/compare")
    for ref in ("openai/gpt-4o", "openai/gpt-4o-mini", "anthropic/claude-haiku-4-5"):
        await page.locator(f"input[name=models][value='{ref}']").check()
    await page.get_by_role("textbox", name="Message").fill("Which is best?")
    await page.get_by_role("button", name="Compare").click()
    done = page.locator("[data-lane-status]", has_text="done")
    await expect(done).to_have_count(3, timeout=20_000)
    await shot(page, "05-compare")
    await page.locator("[data-lanes] .lane").nth(1).get_by_role("button").click()
    await expect(page).to_have_url(re.compile(r"/c/[0-9a-f-]{36}$"))
    await expect(page.locator(".message.assistant").last).to_contain_text("gpt-4o-mini")
    await shot(page, "06-continued-with-lane")

    # The admin sees usage split by own keys vs platform, and the audit rows.
    await page.goto(ws_url + "/admin/usage")
    await expect(page.get_by_text("Own keys / platform")).to_be_visible()
    await expect(page.get_by_text(re.compile(r"5 / 0 calls"))).to_be_visible()
    await shot(page, "07-usage")
    await page.goto(ws_url + "/admin/audit")
    audit = page.locator("[data-audit]")
    await expect(audit.get_by_text("credential.created").first).to_be_visible()
    await shot(page, "08-audit")
    assert not errors, errors
    await ctx.close()
