"""Finding an old conversation in a real browser: type in the sidebar's search box, see the
matching conversations with the words marked, open one at the matching message; the results
page works without the box's JavaScript too, on a phone as on a desktop."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.chat_helpers import DESKTOP, PHONE, member_session
from tests.e2e.conftest import Shot
from tests.support import Stack

pytestmark = pytest.mark.e2e


async def test_sidebar_search_finds_a_conversation_by_its_message(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    async with member_session(chromium, stack, viewport=DESKTOP) as session:
        page = session.page
        ws = session.ws_id
        first = await session.api(
            "POST", f"/api/workspaces/{ws}/conversations", {"title": "Offsite planning"}
        )
        await page.goto(f"/w/{ws}/c/{first['id']}")
        await session.send("Which venues near the fjord take forty people?")
        await session.answered(1)
        await session.api("POST", f"/api/workspaces/{ws}/conversations", {"title": "Budget"})

        box = page.get_by_role("searchbox", name="Search conversations")
        await box.fill("fjor")
        results = page.locator("#sidebar-search-results .search-hit")
        await expect(results).to_have_count(1)
        await expect(results.first).to_have_text("Offsite planning")
        await expect(page.locator("#sidebar-search-results mark")).to_have_text(["fjord"])
        await shot(page, "01-sidebar-results")

        await box.fill("nothing like this")
        await expect(page.locator("#sidebar-search-results .empty")).to_contain_text(
            "No conversation matches"
        )
        await box.fill("fjord venues")
        await results.first.click()
        await expect(page).to_have_url(re.compile(rf"/c/{first['id']}#msg-[0-9a-f-]{{36}}$"))
        target = page.url.rsplit("#", 1)[1]
        await expect(page.locator(f"article#{target}")).to_contain_text("venues near the fjord")
        assert session.errors == []


async def test_search_page_on_a_phone(chromium: Browser, stack: Stack, shot: Shot) -> None:
    async with member_session(chromium, stack, viewport=PHONE) as session:
        page = session.page
        ws = session.ws_id
        await session.api(
            "POST", f"/api/workspaces/{ws}/conversations", {"title": "Quarterly kumquat review"}
        )
        await page.goto(f"/w/{ws}/search?q=kumquat")
        await expect(page.get_by_role("heading", name="Search")).to_be_visible()
        await expect(page.locator("main .search-hit")).to_have_text(["Quarterly kumquat review"])
        await expect(page.locator("main .search-hit")).to_have_count(1)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        await shot(page, "01-search-page-phone")
        await assert_accessible(page, "search results page on a phone")
        assert session.errors == []
