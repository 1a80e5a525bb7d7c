"""A key for this browser session only: checked on entry, kept in the tab's sessionStorage, sent
per request (the answer says "key for this request"), never stored on the server, gone in a new
browser context."""

from __future__ import annotations

import subprocess
import uuid

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.chat_helpers import member_session
from tests.e2e.conftest import Shot
from tests.support import Stack

pytestmark = pytest.mark.e2e
MODEL = "openai/gpt-4o-mini"


def _pg_dump(stack: Stack) -> str:
    assert stack.postgres is not None
    return subprocess.run(
        [str(stack.postgres.bin_dir / "pg_dump"), "--data-only", stack.postgres.dsn],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout


async def test_session_only_key(chromium: Browser, stack: Stack, shot: Shot) -> None:
    canary = f"sk-session-{uuid.uuid4().hex}-TABONLY"
    async with member_session(chromium, stack, keys={}) as s:
        page = s.page
        await page.goto(s.ws_url + "/c/new")
        option = page.locator(f'#model option[value="{MODEL}"]')
        assert await option.evaluate("o => o.disabled")
        await page.get_by_text("Use a key for this browser session only").click()
        panel = page.locator("[data-session-key]")
        await expect(panel).to_contain_text("gone when you close the tab")
        await panel.get_by_label("Provider").select_option("openai")
        await panel.get_by_label("API key").fill("sk-invalid-session-0000001")
        await panel.get_by_role("button", name="Check and use").click()
        await expect(panel.locator("[data-session-key-status]")).to_contain_text("Not used")
        await panel.get_by_label("API key").fill(canary)
        await panel.get_by_role("button", name="Check and use").click()
        await expect(panel.locator("[data-session-key-status]")).to_contain_text("works")
        await expect(panel.locator("[data-session-key-list]")).to_contain_text("sk-...ONLY")
        assert not await option.evaluate("o => o.disabled")
        assert "key for this session" in await option.inner_text()
        await assert_accessible(page, "session-only key panel", within="[data-session-key]")
        assert canary not in await page.content()

        await page.locator("#model").select_option(MODEL)
        await s.send("hello with my own key")
        await s.answered(1)
        await shot(page, "01-answered-with-session-key")
        answer = page.locator(".message.assistant").last
        await expect(answer).to_contain_text("key for this request")
        stored = await page.evaluate("sessionStorage.getItem('switchboard.sessionKeys')")
        assert canary in stored

        assert await s.api("GET", "/api/me/credentials") == []
        assert await s.api("GET", f"/api/workspaces/{s.ws_id}/credentials") == []
        assert canary not in _pg_dump(stack)
        assert s.errors == []

        # A new browser context (a closed tab, a new window) has no session key.
        fresh = await chromium.new_context(
            base_url=stack.url, storage_state=await s.context.storage_state()
        )
        try:
            other = await fresh.new_page()
            await other.goto(s.ws_url + "/c/new")
            assert await other.evaluate("sessionStorage.getItem('switchboard.sessionKeys')") is None
            await expect(other.locator("[data-session-key-list] li")).to_have_count(0)
            assert await other.locator(f'#model option[value="{MODEL}"]').evaluate(
                "o => o.disabled"
            )
        finally:
            await fresh.close()

        # Forgetting it locks its models again.
        await panel.get_by_role("button", name="Forget").click()
        await expect(panel.locator("[data-session-key-list] li")).to_have_count(0)
        assert await option.evaluate("o => o.disabled")
        assert await page.evaluate("sessionStorage.getItem('switchboard.sessionKeys')") == "{}"
