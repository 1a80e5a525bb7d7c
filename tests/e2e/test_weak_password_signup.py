"""Sign-up in a real browser refuses a common password and says why, on desktop and phone."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import Browser, ViewportSize, expect

from tests.e2e.conftest import Shot
from tests.e2e.test_team_onboarding import _watch_console
from tests.support import PASSWORD, Stack

pytestmark = pytest.mark.e2e

WIDE: ViewportSize = {"width": 1366, "height": 900}
NARROW: ViewportSize = {"width": 390, "height": 844}


@pytest.mark.parametrize(
    ("label", "viewport"),
    [("desktop", WIDE), ("phone", NARROW)],
)
async def test_weak_password_is_refused_with_a_reason_then_a_strong_one_works(
    chromium: Browser, stack: Stack, shot: Shot, label: str, viewport: ViewportSize
) -> None:
    errors: list[str] = []
    context = await chromium.new_context(base_url=stack.url, viewport=viewport)
    page = await context.new_page()
    _watch_console(page, errors)
    email = f"weak-{uuid.uuid4().hex[:8]}@example.test"

    await page.goto("/signup")
    await expect(page.locator("#password-hint")).to_contain_text("not a common password")
    await page.get_by_label("Name").fill("Wendy Weak")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill("qwertyuiop")
    await page.get_by_role("button", name="Create account").click()
    await expect(page.get_by_text("Choose a harder password")).to_be_visible()
    await expect(page.get_by_label("Email")).to_have_value(email)
    await shot(page, f"{label}-01-weak-password-refused")

    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await expect(page).to_have_url(re.compile(r"/workspaces/new$"))
    await context.close()

    # The refusal itself is a 422 by design; anything else (CSP, script errors) fails the test.
    unexpected = [e for e in errors if "422" not in e]
    assert not unexpected, unexpected
    assert len(errors) <= 2, errors
