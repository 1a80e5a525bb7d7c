"""The admin console, invites, unknown pages and key refusals in a real browser (issue 9).

At 1366x900 a team owner confirms changes, reads the audit log (every action offered, people
named, a wrong date range explained, Back showing the filters its rows match), opens a used
invite and an unknown URL; at 390x844 every admin page fits the screen with its controls in
reach. Every page is loaded several times and any console error (a CSP refusal above all)
fails the test.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect

from tests.e2e.conftest import Shot
from tests.e2e.test_keys_journey import _add_key
from tests.e2e.test_team_onboarding import _sign_up, _watch_console
from tests.support import Stack
from workspace.audit.actions import AuditAction

pytestmark = pytest.mark.e2e

HTMX_BUSY = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"

DESKTOP = ViewportSize(width=1366, height=900)
PHONE = ViewportSize(width=390, height=844)
ADMIN_TABS = ("", "/audit", "/keys", "/policy", "/usage")


async def _owner_with_workspace(page: Page, name: str, email: str, workspace: str) -> str:
    await page.goto("/signup")
    await _sign_up(page, name, email)
    await expect(page).to_have_url(re.compile(r"/workspaces/new$"))
    await page.get_by_label("Workspace name").fill(workspace)
    await page.get_by_role("button", name="Create workspace").click()
    await expect(page).to_have_url(re.compile(r"/w/[0-9a-f-]{36}$"))
    return page.url


async def _fits(page: Page, width: int) -> None:
    """No sideways scrolling: the document is no wider than the screen."""
    scroll_width = await page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width}px wide on a {width}px screen"


async def _in_view_horizontally(page: Page, selector: str, width: int) -> None:
    """Every matching control is on screen from left to right (not clipped in a scroll box)."""
    boxes = [await el.bounding_box() for el in await page.locator(selector).all()]
    assert boxes, selector
    for box in boxes:
        assert box is not None, selector
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (selector, box)


async def test_admin_console_confirms_explains_and_fits(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    errors: list[str] = []
    suffix = uuid.uuid4().hex[:8]
    guest_email = f"gus-{suffix}@example.test"
    ctx = await chromium.new_context(base_url=stack.url, viewport=DESKTOP)
    owner = await ctx.new_page()
    _watch_console(owner, errors)
    ws_url = await _owner_with_workspace(
        owner, "Olive Owner", f"olive-{suffix}@example.test", "Acme Research"
    )

    # A new project confirms itself.
    await owner.get_by_label("Project name").fill("Launch plan")
    await owner.get_by_role("button", name="Add project").click()
    await expect(owner.locator("[data-notice]")).to_have_text("Project “Launch plan” created.")
    await shot(owner, "01-project-created")

    # An invite names who invites whom where; a used one says so and has no Accept.
    await owner.goto(ws_url + "/admin")
    await owner.get_by_label("Role", exact=True).select_option("member")
    await owner.get_by_role("button", name="Create invite link").click()
    invite_url = await owner.locator("[data-invite-link]").input_value()
    guest_ctx = await chromium.new_context(base_url=stack.url, viewport=DESKTOP)
    guest = await guest_ctx.new_page()
    await guest.goto(invite_url)
    summary = guest.locator("[data-invite-summary]")
    await expect(summary).to_have_text("Olive Owner invited you to Acme Research as member.")
    await shot(guest, "02-invite-signed-out")
    await guest.get_by_role("link", name="Create an account").click()
    await _sign_up(guest, "Gus Guest", guest_email)
    await expect(guest).to_have_url(invite_url)
    await guest.get_by_role("button", name="Accept invitation").click()
    await expect(guest).to_have_url(ws_url)
    await guest.goto(invite_url)
    await expect(guest.locator("[data-invite-unusable]")).to_contain_text("already been used")
    await expect(guest.get_by_role("button", name="Accept invitation")).to_have_count(0)
    await expect(summary).to_contain_text("Acme Research")
    await shot(guest, "03-invite-used")

    # An unknown address in the browser is a page with a way home, not JSON.
    for path in ("/nope", ws_url + "/nope"):
        response = await guest.goto(path)
        assert response is not None and response.status == 404
        assert response.headers["content-type"].startswith("text/html")
        await expect(guest.get_by_role("heading", name="Not found")).to_be_visible()
        await expect(guest.get_by_role("link", name="Back to Switchboard")).to_be_visible()
    await shot(guest, "04-unknown-page")
    await guest_ctx.close()

    # A role change over HTMX says what it did.
    await owner.goto(ws_url + "/admin")
    row = owner.locator(f'tr[data-member="{guest_email}"]')
    await row.get_by_label("Role of Gus Guest").select_option("admin")
    await row.get_by_role("button", name="Change role of Gus Guest").click()
    await expect(owner.locator("#flash")).to_have_text("Gus Guest is now an admin.")
    await expect(row.get_by_label("Role of Gus Guest")).to_have_value("admin")
    await shot(owner, "05-role-changed")

    # The audit filter offers every action, and the role change names the member.
    await owner.get_by_role("link", name="Audit log").click()
    options = owner.locator("#f-action option:not([value=''])")
    await expect(options).to_have_count(len(AuditAction))
    changed = owner.locator('tr[data-action="member.role_changed"]')
    await expect(changed.locator("[data-target]")).to_have_text(f"Gus Guest ({guest_email})")
    await expect(changed).to_contain_text("member → admin")
    await shot(owner, "06-audit")

    # Back shows the rows of the earlier filter under that filter, not under "Any action".
    await owner.get_by_label("Action").select_option("invite.created")
    await expect(owner).to_have_url(re.compile(r"action=invite\.created"))
    await expect(owner.locator("tr[data-action]")).to_have_count(1)
    # The filter form is swapped with the rows: let htmx finish before touching it again.
    await expect(owner.locator(HTMX_BUSY)).to_have_count(0)
    await owner.get_by_label("Action").select_option("member.role_changed")
    await expect(owner).to_have_url(re.compile(r"action=member\.role_changed"))
    await expect(owner.locator('tr[data-action="member.role_changed"]')).to_have_count(1)
    await owner.go_back()
    await expect(owner).to_have_url(re.compile(r"action=invite\.created"))
    await expect(owner.locator('tr[data-action="invite.created"]')).to_have_count(1)
    await expect(owner.locator("tr[data-action]")).to_have_count(1)
    await expect(owner.get_by_label("Action")).to_have_value("invite.created")
    await shot(owner, "07-audit-after-back")
    await owner.go_back()
    await expect(owner.get_by_label("Action")).to_have_value("")
    await expect(owner.locator('tr[data-action="workspace.created"]')).to_have_count(1)

    # From after To is explained, not answered with an empty table.
    await owner.get_by_label("From").fill("2026-12-10")
    await owner.get_by_label("To").fill("2026-12-01")
    await owner.get_by_role("button", name="Filter").click()
    problem = owner.locator("[data-audit-problem]")
    await expect(problem).to_contain_text("is after “To”")
    await expect(owner.get_by_label("From")).to_have_attribute("aria-invalid", "true")
    await expect(owner.get_by_text("No events match these filters.")).to_have_count(0)
    await shot(owner, "08-audit-inverted-range")

    # Each admin page, several times over: no console error, no CSP refusal.
    for tab in ADMIN_TABS:
        for _ in range(3):
            await owner.goto(ws_url + "/admin" + tab)
            await owner.wait_for_load_state("networkidle")

    # Phone: every admin page fits and its controls are in reach.
    await owner.set_viewport_size(PHONE)
    for tab in ADMIN_TABS:
        await owner.goto(ws_url + "/admin" + tab)
        await owner.wait_for_load_state("networkidle")
        await _fits(owner, PHONE["width"])
        name = tab.strip("/") or "members"
        await shot(owner, f"09-phone-{name}")
    await owner.goto(ws_url + "/admin")
    await _in_view_horizontally(owner, "[data-members] select", PHONE["width"])
    await _in_view_horizontally(owner, "[data-members] button", PHONE["width"])
    await _in_view_horizontally(owner, "#invite-email", PHONE["width"])
    await owner.get_by_label("Email (optional)").fill(f"later-{suffix}@example.test")
    await owner.get_by_role("button", name="Create invite link").click()
    await expect(owner.locator("[data-invite-link]")).to_be_visible()
    await _fits(owner, PHONE["width"])
    await _in_view_horizontally(owner, "[data-invite-link]", PHONE["width"])
    await _in_view_horizontally(owner, "[data-invites] button", PHONE["width"])
    await shot(owner, "10-phone-invite-created")
    phone_row = owner.locator(f'tr[data-member="{guest_email}"]')
    await phone_row.get_by_label("Role of Gus Guest").select_option("viewer")
    await phone_row.get_by_role("button", name="Change role of Gus Guest").click()
    await expect(owner.locator("#flash")).to_have_text("Gus Guest is now a viewer.")
    await _fits(owner, PHONE["width"])
    await shot(owner, "11-phone-role-changed")
    await owner.goto(ws_url + "/admin/audit")
    await _in_view_horizontally(owner, "#f-action", PHONE["width"])
    await _in_view_horizontally(owner, "#f-until", PHONE["width"])

    await ctx.close()
    assert errors == []


async def test_key_refusals_are_explained_and_nothing_is_listed(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    errors: list[str] = []
    ctx = await chromium.new_context(base_url=stack.url, viewport=DESKTOP)
    page = await ctx.new_page()
    _watch_console(page, errors)
    ws_url = await _owner_with_workspace(
        page, "Kim Keys", f"kim-{uuid.uuid4().hex[:8]}@example.test", "Key Labs"
    )
    await page.goto(ws_url + "/admin/keys")

    # A key the provider refuses is not saved: the sentence says so and the list stays empty.
    await _add_key(page, "Anthropic", "Broken", "sk-ant-invalid-e2e-0009")
    flash = page.locator("[data-flash]")
    await expect(flash).to_contain_text("The key was not saved:")
    await expect(page.locator("tr[data-key]")).to_have_count(0)
    await expect(page.get_by_text("No workspace keys yet.")).to_be_visible()
    await expect(page.get_by_label("Label")).to_have_value("Broken")
    await shot(page, "01-invalid-key-refused")

    # A label already in use is named on the field.
    await _add_key(page, "OpenAI", "Team", "sk-e2e-first-0001")
    await expect(page.locator("tr[data-key]")).to_have_count(1)
    await _add_key(page, "OpenAI", "Team", "sk-e2e-second-0002")
    label = page.get_by_label("Label")
    await expect(label).to_have_attribute("aria-invalid", "true")
    await expect(page.locator('[data-field-error="label"]')).to_contain_text(
        "already a key labelled “Team”"
    )
    await expect(page.locator("tr[data-key]")).to_have_count(1)
    await shot(page, "02-duplicate-label")

    await page.set_viewport_size(PHONE)
    await page.goto(ws_url + "/admin/keys")
    await _fits(page, PHONE["width"])
    await shot(page, "03-phone-keys")
    await ctx.close()
    # The two refusals answered 422 and 409 on purpose; nothing else may be in the list.
    unexpected = [e for e in errors if not re.match(r"(422|409) .*/admin/keys$", e)]
    unexpected = [e for e in unexpected if "status of 4" not in e]
    assert unexpected == []


# What a browser extension (a password manager, a grammar checker) or a screenshot leaves on a
# form field: a style attribute written through the CSSOM, which the CSP allows.
_MARK_INPUTS = (
    "document.querySelectorAll('input:not([type=hidden]), select')"
    ".forEach(e => { e.style.outline = '1px dotted transparent'; })"
)


async def test_back_never_replays_inline_style(chromium: Browser, stack: Stack) -> None:
    """htmx's history cache would store the page as it stands, style attributes included, and
    parse it back in on Back: a CSP refusal per attribute. Admin pages keep no snapshot."""
    errors: list[str] = []
    ctx = await chromium.new_context(base_url=stack.url, viewport=DESKTOP)
    page = await ctx.new_page()
    _watch_console(page, errors)
    ws_url = await _owner_with_workspace(
        page, "Sam Style", f"sam-{uuid.uuid4().hex[:8]}@example.test", "Style Co"
    )
    await page.goto(ws_url + "/admin")
    await page.evaluate(_MARK_INPUTS)
    await page.get_by_role("button", name="Create invite link").click()
    await expect(page.locator("[data-invite-link]")).to_be_visible()
    await page.goto(ws_url + "/admin/audit")
    for action in ("invite.created", "workspace.created"):
        await page.evaluate(_MARK_INPUTS)
        await page.get_by_label("Action").select_option(action)
        await expect(page).to_have_url(re.compile(rf"action={re.escape(action)}"))
        await expect(page.locator(f'tr[data-action="{action}"]')).to_have_count(1)
    await page.go_back()
    await expect(page.get_by_label("Action")).to_have_value("invite.created")
    await expect(page.locator("tr[data-action]")).to_have_count(1)
    await page.go_back()
    await expect(page.get_by_label("Action")).to_have_value("")
    await page.wait_for_load_state("networkidle")
    # Nor is the invite link, shown once, left behind in htmx's localStorage cache.
    cache = await page.evaluate("localStorage.getItem('htmx-history-cache') || ''")
    assert "/invites/" not in cache
    await ctx.close()
    assert errors == []
