"""The admin console's API tokens tab in a real browser: an owner makes a models-only token
(its secret shown once), sees it listed with its scope and expiry, revokes it; the tab fits a
phone. The made token lists models at the gateway until it is revoked."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.e2e.conftest import Shot
from tests.e2e.test_admin_pages import DESKTOP, PHONE, _fits, _owner_with_workspace
from tests.e2e.test_team_onboarding import _watch_console
from tests.support import Stack

pytestmark = pytest.mark.e2e


async def test_owner_makes_and_revokes_a_workspace_token(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    errors: list[str] = []
    suffix = uuid.uuid4().hex[:8]
    ctx = await chromium.new_context(base_url=stack.url, viewport=DESKTOP)
    page = await ctx.new_page()
    _watch_console(page, errors)
    ws_url = await _owner_with_workspace(
        page, "Tess Tokens", f"tess-{suffix}@example.test", "Token Co"
    )
    await page.goto(ws_url + "/admin/tokens")
    await expect(page.get_by_role("link", name="API tokens")).to_have_attribute(
        "aria-current", "page"
    )
    await page.get_by_label("Name").fill("notebook")
    await page.get_by_label("Scope").select_option("models")
    await page.get_by_label("Expires (optional)").fill("2099-12-31")
    await page.get_by_role("button", name="Make token").click()
    secret = (await page.locator("#new-token").inner_text()).strip()
    assert secret.startswith("sb_")
    row = page.locator("#token-list tr", has_text="notebook")
    await expect(row).to_contain_text("List models only")
    await expect(row).to_contain_text("2099-12-31")
    await shot(page, "01-token-made")
    bearer = {"Authorization": f"Bearer {secret}"}
    async with httpx.AsyncClient(base_url=stack.url, headers=bearer) as http:
        assert (await http.get("/v1/models")).status_code == 200
        await page.goto(ws_url + "/admin/tokens")
        await expect(page.locator("#new-token")).to_have_count(0)  # shown once
        await page.get_by_role("button", name="Revoke notebook of Tess Tokens").click()
        await expect(page.locator("#token-list")).to_have_text(
            "No member has a token for this workspace."
        )
        assert (await http.get("/v1/models")).status_code == 401
    await shot(page, "02-token-revoked")
    await page.set_viewport_size(PHONE)
    await page.goto(ws_url + "/admin/tokens")
    await _fits(page, PHONE["width"])
    await shot(page, "03-phone")
    await ctx.close()
    assert not errors, errors
