"""Pins, date groups and the archive in a real browser, on a desktop and on a phone: the sidebar
groups conversations under "Pinned" and "Today", a pin from the row menu moves a conversation
under "Pinned", an archived one leaves the sidebar and comes back from the Archived page."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Locator, Page, expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.chat_helpers import DESKTOP, PHONE, Session, member_session
from tests.e2e.conftest import Shot
from tests.support import Stack

pytestmark = pytest.mark.e2e

SIDEBAR = "#sidebar-conversations"


async def _create(session: Session, title: str) -> str:
    body = {"title": title}
    created = await session.api("POST", f"/api/workspaces/{session.ws_id}/conversations", body)
    return str(created["id"])


async def _open_sidebar(page: Page, phone: bool) -> None:
    """On a phone the sidebar is a drawer behind the Menu button; every page load closes it."""
    if phone:
        await page.get_by_role("button", name="Menu").click()
    await expect(page.locator(SIDEBAR)).to_be_visible()


def _row(page: Page, conversation_id: str) -> Locator:
    return page.locator(f'{SIDEBAR} [data-conversation-row="{conversation_id}"]')


async def _menu_action(page: Page, conversation_id: str, title: str, action: str) -> None:
    row = _row(page, conversation_id)
    await row.get_by_label(f"Actions for {title}").click()
    await row.get_by_role("button", name=action, exact=True).click()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_pin_archive_and_restore_from_the_sidebar(
    chromium: Browser, stack: Stack, shot: Shot, viewport: dict[str, int]
) -> None:
    phone = viewport == PHONE
    async with member_session(chromium, stack, viewport=viewport, keys={}) as session:
        page = session.page
        ws = session.ws_id
        alpha = await _create(session, "Alpha plan")
        beta = await _create(session, "Beta notes")
        gamma = await _create(session, "Gamma draft")
        headings = page.locator(f"{SIDEBAR} .nav-group-heading")

        await page.goto(f"/w/{ws}/c/{alpha}")
        await _open_sidebar(page, phone)
        await expect(headings).to_have_text(["Today"])

        # Pin from the row menu: it moves under "Pinned", above today's conversations.
        await _menu_action(page, gamma, "Gamma draft", "Pin")
        await _open_sidebar(page, phone)
        await expect(headings).to_have_text(["Pinned", "Today"])
        rows = page.locator(f"{SIDEBAR} > li[data-conversation-row]")
        await expect(rows.first).to_have_attribute("data-conversation-row", gamma)
        await expect(_row(page, gamma)).to_have_attribute("data-pinned", "")
        await shot(page, "01-pinned-and-today")
        await assert_accessible(page, "sidebar with groups", within="#sidebar")

        # Archive from the row menu: out of the sidebar, into the Archived page.
        await _row(page, beta).get_by_label("Actions for Beta notes").click()
        await shot(page, "02-row-menu")
        await _row(page, beta).get_by_role("button", name="Archive", exact=True).click()
        await _open_sidebar(page, phone)
        await expect(_row(page, beta)).to_have_count(0)
        listed = await session.api("GET", f"/api/workspaces/{ws}/conversations")
        assert beta not in {c["id"] for c in listed}
        await page.get_by_role("link", name="Archived conversations").click()
        archived = page.locator("#archived-conversations [data-archived-row]")
        await expect(archived).to_have_count(1)
        await expect(archived.first).to_contain_text("Beta notes")
        await shot(page, "03-archived-page")
        await assert_accessible(page, "archived page")

        # Restore: the Archived page empties and the sidebar has it again under "Today".
        await page.get_by_role("button", name="Restore Beta notes").click()
        await expect(page.locator("#archived-conversations")).to_contain_text("Nothing is archived")
        await _open_sidebar(page, phone)
        await expect(_row(page, beta)).to_have_count(1)
        await expect(_row(page, beta)).not_to_have_attribute("data-pinned", "")
        await shot(page, "04-restored")

        # Unpin from the chat header's menu: the "Pinned" group goes.
        await page.goto(f"/w/{ws}/c/{gamma}")
        await page.get_by_label("Conversation actions").click()
        await (
            page.locator("[data-conversation-actions]")
            .get_by_role("button", name="Unpin", exact=True)
            .click()
        )
        await _open_sidebar(page, phone)
        await expect(headings).to_have_text(["Today"])
        assert session.errors == []
