"""Export and import in a real browser: download a conversation as Markdown from its menu and
read the file; import ChatGPT's conversations.json from the workspace page and land on the
conversation; a refused file says why on the page. On a desktop and on a phone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, FilePayload, Page, expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.chat_helpers import DESKTOP, PHONE, member_session
from tests.e2e.conftest import Shot
from tests.support import Stack

pytestmark = pytest.mark.e2e

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "chatgpt_conversations.json"


async def _download(page: Page, link: str) -> tuple[str, str]:
    """Click an export link; the file's suggested name and its text."""
    async with page.expect_download() as event:
        await page.get_by_role("link", name=link).click()
    download = await event.value
    path = await download.path()
    return download.suggested_filename, Path(path).read_text(encoding="utf-8")


async def test_download_a_conversation_as_markdown_from_its_menu(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    async with member_session(chromium, stack, viewport=DESKTOP) as session:
        page = session.page
        created = await session.api(
            "POST", f"/api/workspaces/{session.ws_id}/conversations", {"title": "Roadmap notes"}
        )
        await page.goto(f"/w/{session.ws_id}/c/{created['id']}")
        await session.send("List three goals for the next quarter.")
        await session.answered(1)

        await page.get_by_label("Conversation actions").click()
        header = page.locator("[data-conversation-actions]")
        await header.locator("summary", has_text="Export").click()
        await shot(page, "01-export-menu")
        await assert_accessible(page, "export menu open", within="[data-conversation-actions]")
        name, text = await _download(page, "Markdown: this branch")

        assert name == "Roadmap notes.md"
        assert text.startswith("# Roadmap notes\n")
        assert "**You** (Pat Chat)\n\nList three goals for the next quarter." in text
        assert re.search(r"^\*\*openai/[\w.-]+\*\*$", text, re.MULTILINE), text
        name, text = await _download(page, "JSON: every branch")
        assert name == "Roadmap notes.json"
        assert '"format":"switchboard.conversation"' in text
        assert session.errors == []


async def test_import_a_chatgpt_export_from_the_workspace_page(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    async with member_session(chromium, stack, viewport=DESKTOP) as session:
        page = session.page
        await page.goto(f"/w/{session.ws_id}")
        picker = page.get_by_label("A Switchboard export (.json) or ChatGPT's conversations.json")
        await picker.set_input_files(
            files=FilePayload(name="notes.json", mimeType="application/json", buffer=b"[1, 2]")
        )
        await page.get_by_role("button", name="Import").click()
        alert = page.locator("#import-error")
        await expect(alert).to_contain_text("not a Switchboard export")
        await shot(page, "01-refused-file")
        await assert_accessible(page, "workspace page with a refused import")

        await picker.set_input_files(str(FIXTURE))
        await shot(page, "02-file-chosen")
        await page.get_by_role("button", name="Import").click()

        await expect(page).to_have_url(re.compile(r"/c/[0-9a-f-]{36}$"))
        await expect(page.locator("[data-conversation-title]")).to_have_text(
            "Packing list for Lisbon"
        )
        thread = page.locator(".message")
        await expect(thread).to_have_count(4)
        await expect(thread.last).to_contain_text("Layers, walking shoes, rain jacket.")
        sidebar = page.locator("#sidebar-conversations")
        await expect(sidebar).to_contain_text("Median of a column")
        await shot(page, "03-imported-conversation")
        # The refused file's page is answered 422 (the browser logs it); nothing else failed.
        assert [e for e in session.errors if "422" not in e] == []
        assert len(session.errors) <= 2


async def test_export_menu_and_import_form_on_a_phone(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    async with member_session(chromium, stack, viewport=PHONE) as session:
        page = session.page
        await page.goto(f"/w/{session.ws_id}")
        await shot(page, "01-workspace-page")
        await page.get_by_label(
            "A Switchboard export (.json) or ChatGPT's conversations.json"
        ).set_input_files(str(FIXTURE))
        await page.get_by_role("button", name="Import").click()
        await expect(page).to_have_url(re.compile(r"/c/[0-9a-f-]{36}$"))

        await page.get_by_label("Conversation actions").click()
        header = page.locator("[data-conversation-actions]")
        await header.locator("summary", has_text="Export").click()
        await shot(page, "02-export-menu")
        name, text = await _download(page, "Markdown: every branch")
        assert name == "Packing list for Lisbon.md"
        assert "version 2 of 2" in text and "**openai/gpt-4o-mini**" in text
        assert session.errors == []
