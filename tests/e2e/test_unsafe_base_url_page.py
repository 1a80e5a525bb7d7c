"""An unsafe base URL typed into "My keys", in a real browser, on a server with the SSRF guard
on: the page says the rule next to the Base URL field, keeps what was typed (never the key) and
lists nothing. The shared stack allows private addresses (its simulator is on loopback), so
this test serves a second app from the same PostgreSQL and Vault with the guard back on."""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import uvicorn
from playwright.async_api import Browser, ViewportSize, expect

from tests.e2e.conftest import Shot
from tests.e2e.test_team_onboarding import _sign_up, _watch_console
from tests.support import Stack
from workspace.cli.embedded.ports import free_port
from workspace.server.app import create_app

pytestmark = pytest.mark.e2e

SECRET = "sk-e2e-compat-unsafe-0009"
UNSAFE = "http://10.20.30.40:11434/v1"
DESKTOP: ViewportSize = {"width": 1366, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture
def guarded_url(stack: Stack) -> Iterator[str]:
    """The app with ``allow_private_base_urls`` off, served by uvicorn on its own port."""
    settings = stack.settings.model_copy(
        update={"allow_private_base_urls": False, "port": free_port()}
    )
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=settings.port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the guarded app did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{settings.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_an_unsafe_base_url_is_a_form_error_and_nothing_is_listed(
    chromium: Browser, guarded_url: str, shot: Shot, viewport: ViewportSize
) -> None:
    errors: list[str] = []
    ctx = await chromium.new_context(base_url=guarded_url, viewport=viewport)
    page = await ctx.new_page()
    _watch_console(page, errors)
    await page.goto("/signup")
    await _sign_up(page, "Uma Unsafe", f"unsafe-{uuid.uuid4().hex[:8]}@example.test")
    await expect(page).to_have_url(re.compile(r"/workspaces/new$"))

    await page.goto("/keys")
    form = page.locator("[data-add-key]")
    await form.get_by_label("Provider", exact=True).select_option("openai_compatible")
    await form.get_by_label("Label").fill("Office Ollama")
    await form.get_by_label("API key", exact=True).fill(SECRET)
    await form.get_by_label("Base URL").fill(UNSAFE)
    await form.get_by_role("button", name="Add and validate").click()

    rule = "must not point at private, loopback, link-local or metadata addresses"
    await expect(page.locator("#add-base-url-error")).to_contain_text(rule)
    await expect(page.locator("[data-flash]")).to_contain_text(
        "SWITCHBOARD_ALLOW_PRIVATE_BASE_URLS"
    )
    await expect(page.get_by_label("Base URL")).to_have_value(UNSAFE)
    await expect(page.get_by_label("Base URL")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("tr[data-key]")).to_have_count(0)
    content = await page.content()
    assert SECRET not in content
    assert "a private network address" not in content  # the guard's class, never said
    await shot(page, "01-refused")

    await page.goto("/keys")
    await expect(page.get_by_text("No personal keys yet.")).to_be_visible()
    await ctx.close()
    # The refusal itself is the one 400 the page may load (Chromium logs it twice over);
    # nothing else may fail: no CSP violation, no script error.
    refusal = {
        f"400 {guarded_url}/keys",
        "Failed to load resource: the server responded with a status of 400 (Bad Request)",
    }
    assert [e for e in errors if e not in refusal] == []
