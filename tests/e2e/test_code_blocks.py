"""Code in answers, in a real browser: an answer with a python block comes back highlighted
(Pygments token spans, coloured by code.css under the strict CSP), and its "Copy code" button,
added by code.js to the bubble the chat swaps in after streaming, puts the exact code on the
clipboard, by mouse and by keyboard."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import Shot
from tests.e2e.test_keys_journey import _add_key
from tests.e2e.test_team_onboarding import _sign_up, _watch_console
from tests.support import Stack

pytestmark = pytest.mark.e2e

CODE = 'def add(a, b):\n    """Sum two numbers."""\n    return a + b  # no <script> here\n'
REPLY = f"Here is the function:\n\n```python\n{CODE}```\n\nAnd a shell line: `pip install x`."


@pytest.fixture
async def python_reply(stack: Stack) -> AsyncIterator[None]:
    """The simulator answers gpt-4o with REPLY until the test ends."""
    assert stack.simulator_url is not None
    async with httpx.AsyncClient(base_url=stack.simulator_url) as sim:
        response = await sim.post("/_simulator/scenario", json={"model": "gpt-4o", "reply": REPLY})
        response.raise_for_status()
        try:
            yield
        finally:
            await sim.delete("/_simulator/scenario")


async def _clipboard(page: Page) -> str:
    return str(await page.evaluate("() => navigator.clipboard.readText()"))


async def test_answer_code_is_highlighted_and_copies(
    chromium: Browser, stack: Stack, shot: Shot, python_reply: None
) -> None:
    errors: list[str] = []
    ctx = await chromium.new_context(
        base_url=stack.url,
        viewport={"width": 1366, "height": 900},
        permissions=["clipboard-read", "clipboard-write"],
    )
    page = await ctx.new_page()
    _watch_console(page, errors)
    await page.goto("/signup")
    await _sign_up(page, "Cody Blocks", f"code-{uuid.uuid4().hex[:8]}@example.test")
    await page.get_by_label("Workspace name").fill("Code Co")
    await page.get_by_role("button", name="Create workspace").click()
    await expect(page).to_have_url(re.compile(r"/w/[0-9a-f-]{36}$"))
    ws_url = page.url
    await page.goto(ws_url + "/admin/keys")
    await _add_key(page, "OpenAI", "Team OpenAI", "sk-code-openai-0001")
    await expect(page.locator("[data-flash]")).to_contain_text("OpenAI accepted this key.")

    # Ask; the streamed bubble is replaced by the server's rendering with highlighted code.
    await page.goto(ws_url + "/c/new")
    await page.get_by_label("Model", exact=True).select_option("openai/gpt-4o")
    await page.get_by_role("textbox", name="Message").fill("Write an add function")
    await page.get_by_role("button", name="Send").click()
    answer = page.locator(".message.assistant").last
    code = answer.locator(".markdown pre code.language-python")
    await expect(code.locator("span.k").first).to_have_text("def", timeout=15_000)
    await expect(code.locator("span.nf")).to_have_text("add")
    await expect(code.locator("span.sd")).to_have_text('"""Sum two numbers."""')
    await expect(code.locator("span.c1")).to_have_text("# no <script> here")
    assert await code.text_content() == CODE
    assert await answer.locator("script").count() == 0

    # code.css applies (classes only, CSP-safe): a keyword is coloured unlike plain text.
    keyword = await code.locator("span.k").first.evaluate("e => getComputedStyle(e).color")
    plain = await code.evaluate("e => getComputedStyle(e).color")
    assert keyword != plain

    # One Copy button per block, on the swapped-in bubble; inline code gets none.
    copy = answer.get_by_role("button", name="Copy code")
    await expect(copy).to_have_count(1)
    await expect(answer.locator(".code-lang")).to_have_text("python")
    await shot(page, "01-highlighted")

    await copy.click()
    await expect(answer.get_by_role("button", name="Copied")).to_be_visible()
    assert await _clipboard(page) == CODE
    await shot(page, "02-copied")
    await expect(copy).to_be_visible(timeout=5_000)  # back to "Copy code"

    # Keyboard: the button is focusable and Enter copies again.
    await page.evaluate("() => navigator.clipboard.writeText('')")
    await copy.focus()
    await expect(copy).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(answer.get_by_role("button", name="Copied")).to_be_visible()
    assert await _clipboard(page) == CODE

    # Reloaded (server-rendered from the start), the block is enhanced exactly once.
    await page.reload()
    answer = page.locator(".message.assistant").last
    code = answer.locator(".markdown pre code.language-python")
    await expect(answer.get_by_role("button", name="Copy code")).to_have_count(1)
    await assert_accessible(page, "answer with a code block", within=".message.assistant")

    # Dark mode has its own token colours, readable on the dark code background.
    await page.emulate_media(color_scheme="dark")
    dark_keyword = await code.locator("span.k").first.evaluate("e => getComputedStyle(e).color")
    assert dark_keyword not in (keyword, plain)
    await assert_accessible(page, "code block, dark", within=".message.assistant")
    await shot(page, "03-dark")
    await page.emulate_media(color_scheme="light")

    await page.set_viewport_size({"width": 390, "height": 844})
    copy = answer.get_by_role("button", name="Copy code")
    await copy.scroll_into_view_if_needed()
    await expect(copy).to_be_in_viewport(ratio=1)
    await shot(page, "04-narrow")

    await ctx.close()
    assert errors == []
