"""A member's default models in a real browser: set on the "My default models" page, the
new-chat picker starts on the overall default, and picking a provider picks that provider's
default; a model only the provider's list knows shows "price unknown"."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.chat_helpers import DESKTOP, member_session
from tests.e2e.conftest import Shot
from tests.support import Stack

pytestmark = pytest.mark.e2e


async def test_the_new_chat_picker_starts_on_the_members_defaults(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    async with member_session(chromium, stack, viewport=DESKTOP) as session:
        page = session.page
        ws = session.ws_id
        await page.goto(f"/w/{ws}/me/models")
        await page.get_by_label("Overall default").select_option("anthropic/claude-haiku-4-5")
        await page.get_by_label("OpenAI", exact=True).select_option("openai/gpt-4.1-mini")
        await page.get_by_role("button", name="Save").click()
        await expect(page.get_by_text("Saved.")).to_be_visible()
        await expect(page.get_by_label("Overall default")).to_have_value(
            "anthropic/claude-haiku-4-5"
        )
        await assert_accessible(page, "default models page")
        await shot(page, "01-default-models")

        await page.goto(f"/w/{ws}/c/new")
        model = page.get_by_label("Model", exact=True)
        await expect(model).to_have_value("anthropic/claude-haiku-4-5")
        await expect(page.get_by_label("Model provider", exact=True)).to_have_value("anthropic")
        await page.get_by_label("Model provider", exact=True).select_option("openai")
        await expect(model).to_have_value("openai/gpt-4.1-mini")
        unlisted = model.locator('option[value="openai/gpt-sim-unlisted"]')
        await expect(unlisted).to_contain_text("price unknown")
        await assert_accessible(page, "new chat with defaults")
        await shot(page, "02-new-chat-defaults")
        assert not session.errors, session.errors
