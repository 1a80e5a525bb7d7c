"""What the chat-page browser tests share: a signed-up member with a workspace and keys, the
page's own API calls (cookie + CSRF token), and the provider simulator's scenario switch."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.e2e.test_team_onboarding import _sign_up, _watch_console
from tests.support import Stack

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
KEYS = {"openai": "sk-e2e-openai-0001", "anthropic": "sk-ant-e2e-0002"}


@dataclass
class Session:
    """A signed-in browser page in its own workspace."""

    context: BrowserContext
    page: Page
    ws_url: str
    ws_id: str
    errors: list[str]

    async def api(self, method: str, path: str, body: Any = None) -> Any:
        """Call the JSON API as the page does (session cookie + the page's CSRF token)."""
        csrf = await self.page.locator('meta[name="csrf-token"]').get_attribute("content")
        response = await self.page.request.fetch(
            path,
            method=method,
            headers={"X-CSRF-Token": csrf or "", "Content-Type": "application/json"},
            data=body,
        )
        assert response.ok, await response.text()
        return await response.json() if response.status != 204 else None

    async def send(self, text: str) -> None:
        """Type into the composer and press Enter (Enter sends)."""
        await self.page.get_by_role("textbox", name="Message").fill(text)
        await self.page.get_by_role("textbox", name="Message").press("Enter")

    async def answered(self, count: int) -> None:
        """Wait until ``count`` answers are stored and re-rendered (their footer is server-made)."""
        await expect(self.page.locator(".message.assistant .message-footer")).to_have_count(
            count, timeout=20_000
        )


@asynccontextmanager
async def member_session(
    chromium: Browser,
    stack: Stack,
    viewport: dict[str, int] = DESKTOP,
    keys: dict[str, str] | None = None,
    name: str = "Pat Chat",
) -> AsyncIterator[Session]:
    """Sign up in the browser, create a workspace, add workspace keys through the API."""
    context = await chromium.new_context(base_url=stack.url, viewport=viewport)
    page = await context.new_page()
    errors: list[str] = []
    _watch_console(page, errors)
    await page.goto("/signup")
    await _sign_up(page, name, f"chat-{uuid.uuid4().hex[:8]}@example.test")
    await page.get_by_label("Workspace name").fill("Chat Co")
    await page.get_by_role("button", name="Create workspace").click()
    await expect(page).to_have_url(re.compile(r"/w/[0-9a-f-]{36}$"))
    ws_url = page.url
    session = Session(context, page, ws_url, ws_url.rsplit("/", 1)[1], errors)
    for provider, secret in (KEYS if keys is None else keys).items():
        await session.api(
            "POST",
            f"/api/workspaces/{session.ws_id}/credentials",
            {"provider": provider, "label": f"{provider} team", "secret": secret},
        )
    try:
        yield session
    finally:
        await context.close()


@asynccontextmanager
async def scenario(stack: Stack, **fields: Any) -> AsyncIterator[None]:
    """Make the simulator misbehave (or pace itself) for the duration of a block."""
    assert stack.simulator_url is not None
    async with httpx.AsyncClient(base_url=stack.simulator_url, timeout=10) as http:
        response = await http.post("/_simulator/scenario", json=fields)
        assert response.status_code == 200, response.text
        try:
            yield
        finally:
            await http.delete("/_simulator/scenario")
