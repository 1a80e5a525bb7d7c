"""The phone journey at 390x844: chat (with history), compare, keys and admin members fit the
viewport, and the composer's Send button can be tapped in a conversation with history."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.chat_helpers import PHONE, member_session
from tests.e2e.conftest import Shot
from tests.support import Stack

pytestmark = pytest.mark.e2e


async def _fits(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


async def test_phone_journey_chat_compare_keys_admin(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    async with member_session(chromium, stack, viewport=PHONE) as s:
        page = s.page
        await page.goto(s.ws_url + "/c/new")
        await _fits(page)
        for turn in range(4):
            await s.send(f"Turn {turn}: " + "a fairly long question " * 6)
            await s.answered(turn + 1)
        await _fits(page)
        send = page.get_by_role("button", name="Send")
        await expect(send).to_be_in_viewport()
        await page.get_by_role("textbox", name="Message").fill("Tapped, not typed")
        await send.click()
        await s.answered(5)
        await expect(page.locator(".message.user").last).to_contain_text("Tapped")
        await shot(page, "01-chat")
        await assert_accessible(page, "chat on a phone")

        await page.goto(s.ws_url + "/compare")
        await _fits(page)
        for ref in ("openai/gpt-4o", "anthropic/claude-haiku-4-5"):
            await page.locator(f"input[name=models][value='{ref}']").check()
        await page.get_by_role("textbox", name="Message").fill("Side by side on a phone")
        await page.get_by_role("button", name="Compare").click()
        await expect(page.locator("[data-lane-status]", has_text="done")).to_have_count(
            2, timeout=20_000
        )
        await _fits(page)
        await shot(page, "02-compare")
        await assert_accessible(page, "compare on a phone")

        await page.goto("/keys")
        await _fits(page)
        await shot(page, "03-keys")

        await page.goto(s.ws_url + "/admin")
        await _fits(page)
        await expect(page.get_by_role("heading", name=re.compile("Members"))).to_be_visible()
        await shot(page, "04-admin-members")
        assert not s.errors, s.errors
