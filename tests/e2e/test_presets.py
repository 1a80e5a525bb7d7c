"""Starting a chat from a preset in a real browser: the presets page lists it, "Start a chat"
opens a new chat whose settings panel holds the preset's system prompt and parameters, and the
answer's request carried them; on a phone, the new-chat page's picker does the same."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.chat_helpers import DESKTOP, PHONE, Session, member_session
from tests.e2e.conftest import Shot
from tests.support import Stack

pytestmark = pytest.mark.e2e

CAPTAIN = {
    "name": "Ship's captain",
    "description": "Every answer in nautical terms.",
    "system_prompt": "Answer like a ship's captain, in nautical terms.",
    "model": "openai/gpt-4o",
    "temperature": 0.3,
    "top_p": 0.9,
    "max_output_tokens": 400,
}


async def _last_chat_request(stack: Stack) -> dict[str, Any]:
    assert stack.simulator_url is not None
    async with httpx.AsyncClient(base_url=stack.simulator_url, timeout=10) as http:
        body = (await http.get("/_simulator/requests")).json()
    chats = [r for r in body["requests"] if r["stream"]]
    request: dict[str, Any] = chats[-1]["body"]
    return request


async def _panel_shows_the_preset(session: Session) -> None:
    page = session.page
    await expect(page.locator("details[data-chat-settings]")).to_have_attribute("open", "")
    await expect(page.get_by_label("System prompt")).to_have_value(CAPTAIN["system_prompt"])
    await expect(page.get_by_label("Temperature")).to_have_value("0.3")
    await expect(page.get_by_label("Top p")).to_have_value("0.9")
    await expect(page.get_by_label("Max output tokens")).to_have_value("400")
    await expect(page.get_by_label("Model", exact=True)).to_have_value("openai/gpt-4o")


async def _answer_carried_the_preset(session: Session, stack: Stack) -> None:
    await session.send("Where are we headed?")
    await session.answered(1)
    request = await _last_chat_request(stack)
    assert request["messages"][0] == {"role": "system", "content": CAPTAIN["system_prompt"]}
    assert (request["temperature"], request["top_p"]) == (0.3, 0.9)
    assert request["max_completion_tokens"] == 400


async def test_a_chat_started_from_the_presets_page_asks_with_the_preset(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    async with member_session(chromium, stack, viewport=DESKTOP) as session:
        page = session.page
        ws = session.ws_id
        await session.api("POST", f"/api/workspaces/{ws}/presets", CAPTAIN)
        await page.goto(f"/w/{ws}/presets")
        card = page.locator("[data-preset-card]").filter(has_text=CAPTAIN["name"])
        await expect(card).to_contain_text(CAPTAIN["system_prompt"])
        await assert_accessible(page, "presets page")
        await shot(page, "01-presets-page")

        await card.get_by_role("link", name="Start a chat").click()
        await expect(page).to_have_url(re.compile(r"/c/new\?preset="))
        await _panel_shows_the_preset(session)
        await assert_accessible(page, "new chat from a preset")
        await shot(page, "02-new-chat-from-preset")

        await _answer_carried_the_preset(session, stack)
        await expect(page).to_have_url(re.compile(r"/c/[0-9a-f-]{36}$"))
        await page.reload()
        await expect(page.get_by_label("System prompt")).to_have_value(CAPTAIN["system_prompt"])
        await shot(page, "03-conversation-keeps-settings")

        await page.get_by_label("Model", exact=True).select_option("anthropic/claude-haiku-4-5")
        await session.send("And the weather?")
        await session.answered(2)
        claude = page.locator(".message.assistant").last
        await expect(claude.locator('[data-notice="settings"]')).to_contain_text(
            "takes no temperature and top p"
        )
        assert (await _last_chat_request(stack))["system"] == CAPTAIN["system_prompt"]
        await shot(page, "04-anthropic-says-what-it-did-not-take")
        assert session.errors == []


async def test_on_a_phone_the_new_chat_picker_fills_the_settings(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    async with member_session(chromium, stack, viewport=PHONE) as session:
        page = session.page
        ws = session.ws_id
        await session.api("POST", f"/api/workspaces/{ws}/presets", CAPTAIN)
        await page.goto(f"/w/{ws}/c/new")
        await page.locator("details[data-chat-settings] > summary").click()
        await page.get_by_label("Start from a preset").select_option(label=CAPTAIN["name"])
        await _panel_shows_the_preset(session)
        await shot(page, "01-phone-picker")
        await _answer_carried_the_preset(session, stack)
        await shot(page, "02-phone-answered")
        assert session.errors == []


async def test_a_preset_made_on_the_page_is_listed_and_can_be_deleted(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    async with member_session(chromium, stack, viewport=PHONE) as session:
        page = session.page
        await page.goto(f"/w/{session.ws_id}/presets")
        form = page.locator("form").filter(has=page.get_by_role("button", name="Create preset"))
        await form.get_by_label("Name").fill("Terse")
        await form.get_by_label("System prompt").fill("One sentence answers.")
        await form.get_by_label("Temperature").fill("0.5")
        await form.get_by_label("Shared with the whole workspace").check()
        await form.get_by_role("button", name="Create preset").click()
        card = page.locator("[data-preset-card]").filter(has_text="Terse")
        await expect(card).to_contain_text("temperature 0.5")
        await expect(card.locator(".tag")).to_have_text("workspace")
        await shot(page, "01-phone-presets")
        await card.get_by_role("button", name="Delete").click()
        await expect(page.locator("[data-preset-card]")).to_have_count(0)
        assert session.errors == []


async def test_a_compare_started_from_a_preset_asks_every_lane_with_it(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    async with member_session(chromium, stack, viewport=DESKTOP) as session:
        page = session.page
        preset = await session.api("POST", f"/api/workspaces/{session.ws_id}/presets", CAPTAIN)
        await page.goto(f"/w/{session.ws_id}/compare?preset={preset['id']}")
        await expect(page.get_by_label("System prompt")).to_have_value(CAPTAIN["system_prompt"])
        await expect(page.locator("input[name=models][value='openai/gpt-4o']")).to_be_checked()
        await page.locator("input[name=models][value='anthropic/claude-haiku-4-5']").check()
        await page.get_by_role("textbox", name="Message").fill("Which port?")
        await page.get_by_role("button", name="Compare", exact=True).click()
        await expect(page.locator("[data-lane-status]", has_text="done")).to_have_count(
            2, timeout=20_000
        )
        assert stack.simulator_url is not None
        async with httpx.AsyncClient(base_url=stack.simulator_url, timeout=10) as http:
            logged = (await http.get("/_simulator/requests")).json()["requests"]
        bodies = [r["body"] for r in logged if r["stream"]][-2:]
        systems = {b.get("system") or b["messages"][0]["content"] for b in bodies}
        assert systems == {CAPTAIN["system_prompt"]}
        claude = page.locator("[data-lanes] .lane").filter(has_text="claude-haiku-4-5")
        await expect(claude.locator('[data-notice="settings"]')).to_contain_text("temperature")
        await shot(page, "01-compare-from-preset")
        assert session.errors == []
