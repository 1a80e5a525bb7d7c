"""Organising conversations in a real browser: rename from the sidebar and the header, delete
with a confirm step, share with the workspace and take it back, move into a project, open the
project page and start a chat there; the sidebar follows without a reload."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Locator, Page, ViewportSize, expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import Shot
from tests.e2e.test_team_onboarding import _watch_console
from tests.support import PASSWORD, Stack, UserClient, new_user

pytestmark = pytest.mark.e2e

DESKTOP: ViewportSize = {"width": 1366, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


async def _signed_in(
    chromium: Browser, stack: Stack, user: UserClient, viewport: ViewportSize
) -> tuple[BrowserContext, Page]:
    """A browser signed in as ``user`` (created through the API) through the sign-in form."""
    context = await chromium.new_context(base_url=stack.url, viewport=viewport)
    page = await context.new_page()
    await page.goto("/login")
    await page.get_by_label("Email").fill(user.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).not_to_have_url(re.compile(r"/login"))
    return context, page


async def _conversation(user: UserClient, ws: str, title: str, **fields: Any) -> str:
    resp = await user.http.post(
        f"/api/workspaces/{ws}/conversations", json={"title": title, **fields}
    )
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


async def _project(user: UserClient, ws: str, name: str) -> str:
    resp = await user.http.post(f"/api/workspaces/{ws}/projects", json={"name": name})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def _row(page: Page, conversation_id: str) -> Locator:
    return page.locator(f'#sidebar-conversations [data-conversation-row="{conversation_id}"]')


async def _conversation_json(user: UserClient, conversation_id: str) -> httpx.Response:
    return await user.http.get(f"/api/conversations/{conversation_id}")


async def test_rename_move_delete_and_project_pages(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    errors: list[str] = []
    async with new_user(stack, "olga") as owner:
        ws = await owner.create_workspace("Organise Co")
        project = await _project(owner, ws, "Launch plan")
        key = await owner.http.post(
            f"/api/workspaces/{ws}/credentials",
            json={"provider": "openai", "label": "team", "secret": "sk-e2e-openai-0001"},
        )
        assert key.status_code == 201, key.text
        first = await _conversation(owner, ws, "First chat")
        second = await _conversation(owner, ws, "Second chat")
        context, page = await _signed_in(chromium, stack, owner, DESKTOP)
        _watch_console(page, errors)
        try:
            await page.goto(f"/w/{ws}/c/{first}")
            heading = page.locator("[data-conversation-title]")
            await expect(heading).to_have_text("First chat")
            await expect(_row(page, first).locator("a.nav-item")).to_have_attribute(
                "aria-current", "page"
            )
            await shot(page, "01-conversation")

            # Rename another conversation from its sidebar menu, keyboard only: the row
            # changes in place (no reload), the heading of the open conversation does not.
            await page.evaluate("window.__noReload = true")
            row = _row(page, second)
            toggle = row.get_by_label("Actions for Second chat")
            await toggle.focus()
            await page.keyboard.press("Enter")
            rename = row.locator("details[data-step]", has_text="Rename")
            await rename.locator("summary").focus()
            await page.keyboard.press("Enter")
            await shot(page, "02-sidebar-menu")
            await assert_accessible(page, "sidebar row menu open", within="#sidebar")
            await row.get_by_label("New title").fill("Renamed in the sidebar")
            await row.get_by_label("New title").press("Enter")
            await expect(row.locator("[data-row-title]")).to_have_text("Renamed in the sidebar")
            await expect(row.locator("details[data-row-menu]")).not_to_have_attribute("open", "")
            await expect(heading).to_have_text("First chat")
            assert await page.evaluate("window.__noReload === true")
            first_row = page.locator("#sidebar-conversations > li[data-conversation-row]").first
            await expect(first_row).to_have_attribute("data-conversation-row", second)
            await expect(_row(page, first).locator("a.nav-item")).to_have_attribute(
                "aria-current", "page"
            )

            # Rename the open conversation from the header: heading and sidebar both follow.
            await page.get_by_label("Conversation actions").click()
            header = page.locator("[data-conversation-actions]")
            await header.locator("summary", has_text="Rename").click()
            await header.get_by_label("New title").fill("  Quarterly   review  ")
            await header.get_by_role("button", name="Save").click()
            await expect(heading).to_have_text("Quarterly review")
            await expect(_row(page, first).locator("[data-row-title]")).to_have_text(
                "Quarterly review"
            )
            await expect(page).to_have_title(re.compile(r"^Quarterly review"))
            assert await page.evaluate("window.__noReload === true")
            await shot(page, "03-renamed-from-header")
            await page.reload()
            await expect(heading).to_have_text("Quarterly review")
            await expect(_row(page, second).locator("[data-row-title]")).to_have_text(
                "Renamed in the sidebar"
            )

            # Move it into the project from the header; the crumb and the project page show it.
            await page.get_by_label("Conversation actions").click()
            await header.get_by_label("Project", exact=True).select_option(label="Launch plan")
            await header.get_by_role("button", name="Move").click()
            await expect(page).to_have_url(re.compile(rf"/c/{first}$"))
            crumb = page.get_by_role("link", name="in Launch plan")
            await expect(crumb).to_be_visible()
            assert (await _conversation_json(owner, first)).json()["conversation"][
                "project_id"
            ] == project
            await page.locator("#sidebar-projects").get_by_role("link", name="Launch plan").click()
            await expect(page).to_have_url(re.compile(rf"/w/{ws}/p/{project}$"))
            await expect(page.get_by_role("heading", level=1)).to_have_text("Launch plan")
            listed = page.locator("#project-conversations [data-conversation-row]")
            await expect(listed).to_have_count(1)
            await expect(listed).to_contain_text("Quarterly review")
            await expect(page.locator("#sidebar-projects a[aria-current=page]")).to_have_text(
                "Launch plan"
            )
            await shot(page, "04-project-page")
            await assert_accessible(page, "project page", within="main")

            # Move the other one there from the sidebar's move page, then out again.
            await _row(page, second).get_by_label(re.compile("^Actions for")).click()
            await _row(page, second).get_by_role("link", name="Move to project…").click()
            await page.get_by_label("Project", exact=True).select_option(label="Launch plan")
            await page.get_by_role("button", name="Move").click()
            await expect(page).to_have_url(re.compile(rf"/c/{second}$"))
            await page.goto(f"/w/{ws}/p/{project}")
            await expect(listed).to_have_count(2)
            # Newest activity first: the one just moved leads.
            await expect(listed.first).to_contain_text("Renamed in the sidebar")

            # A new chat from the project page is created in that project; the sidebar gains
            # its row (current) and the heading its title as soon as the chat script announces it.
            new_chat = page.get_by_role("link", name="New chat in this project")
            await expect(new_chat).to_have_attribute("href", f"/w/{ws}/c/new?project={project}")
            await new_chat.click()
            await expect(page).to_have_url(re.compile(rf"/c/new\?project={project}$"))
            await page.evaluate("window.__noReload = true")
            await page.get_by_role("textbox", name="Message").fill("Draft the launch announcement")
            await page.get_by_role("textbox", name="Message").press("Enter")
            newest = page.locator("#sidebar-conversations > li[data-conversation-row]").first
            await expect(newest).to_contain_text("Draft the launch announcement", timeout=20_000)
            await expect(newest.locator("a.nav-item")).to_have_attribute("aria-current", "page")
            await expect(heading).to_have_text("Draft the launch announcement")
            assert await page.evaluate("window.__noReload === true")
            created = await newest.get_attribute("data-conversation-row")
            assert created and created not in (first, second)
            detail = (await _conversation_json(owner, str(created))).json()["conversation"]
            assert detail["project_id"] == project
            # The row was upgraded to the server's, menu included, and the header got its menu.
            await expect(newest.locator("details[data-row-menu]")).to_have_count(1)
            await expect(page.get_by_role("link", name="in Launch plan")).to_be_visible()
            await expect(page.get_by_label("Conversation actions")).to_be_visible()
            await shot(page, "05-new-chat-in-project")

            # Delete the open conversation: a confirm step first, then a new chat.
            await page.goto(f"/w/{ws}/c/{first}")
            await page.get_by_label("Conversation actions").click()
            await header.locator("summary", has_text="Delete…").click()
            await expect(header.get_by_text("This cannot be undone.")).to_be_visible()
            await shot(page, "06-delete-confirm")
            await assert_accessible(page, "header menu asking to delete", within="main")
            await header.get_by_role("button", name="Delete for good").click()
            await expect(page).to_have_url(re.compile(rf"/w/{ws}/c/new$"))
            await expect(_row(page, first)).to_have_count(0)
            await expect(_row(page, second)).to_have_count(1)
            assert (await _conversation_json(owner, first)).status_code == 404
            probe = await context.new_page()  # not watched: this 404 is the point
            gone = await probe.goto(f"/w/{ws}/c/{first}")
            assert gone is not None and gone.status == 404
            await probe.close()

            # Deleting from the sidebar while elsewhere stays on the page the menu was used on.
            await page.goto(f"/w/{ws}/p/{project}")
            menu_row = _row(page, second)
            await menu_row.get_by_label(re.compile("^Actions for")).click()
            await menu_row.locator("summary", has_text="Delete…").click()
            await menu_row.get_by_role("button", name="Delete for good").click()
            await expect(page).to_have_url(re.compile(rf"/w/{ws}/p/{project}$"))
            await expect(listed).to_have_count(1)
            await expect(_row(page, second)).to_have_count(0)
            await shot(page, "07-after-deletes")

            # Escape closes a row menu and gives focus back to its toggle.
            created_id = str(created)
            for n in range(30):
                await _conversation(owner, ws, f"Filler {n:02d}")
            await page.goto(f"/w/{ws}")
            top = page.locator("#sidebar-conversations > li[data-conversation-row]").first
            await top.get_by_label(re.compile("^Actions for")).click()
            await expect(top.locator("details[data-row-menu]")).to_have_attribute("open", "")
            await page.keyboard.press("Escape")
            await expect(top.locator("details[data-row-menu]")).not_to_have_attribute("open", "")
            await expect(top.locator("summary.row-menu-toggle")).to_be_focused()

            # Rows loaded by "More" carry no token of their own; their forms still work.
            await expect(_row(page, created_id)).to_have_count(0)
            await page.get_by_role("button", name="More conversations").click()
            later = _row(page, created_id)
            await later.get_by_label(re.compile("^Actions for")).click()
            await later.get_by_role("button", name="Share with workspace").click()
            await expect(page).to_have_url(re.compile(rf"/w/{ws}$"))
            detail = (await _conversation_json(owner, created_id)).json()["conversation"]
            assert detail["visibility"] == "shared"
        finally:
            await context.close()
    assert errors == []


async def test_share_then_make_private_on_a_phone(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    errors: list[str] = []
    async with new_user(stack, "sam") as owner, new_user(stack, "mo") as teammate:
        ws = await owner.create_workspace("Share Co")
        await teammate.join(owner, ws, "member")
        chat = await _conversation(owner, ws, "Roadmap notes")
        listing = f"/api/workspaces/{ws}/conversations"
        assert chat not in {c["id"] for c in (await teammate.http.get(listing)).json()}

        context, page = await _signed_in(chromium, stack, owner, PHONE)
        _watch_console(page, errors)
        try:
            await page.goto(f"/w/{ws}/c/{chat}")
            await page.get_by_label("Conversation actions").click()
            await shot(page, "01-phone-actions")
            await assert_accessible(page, "header menu on a phone", within="main")
            await page.get_by_role("button", name="Share with workspace").click()
            await expect(page).to_have_url(re.compile(rf"/c/{chat}$"))
            await expect(page.locator(".chat-head .tag", has_text="shared")).to_be_visible()
            await shot(page, "02-shared")

            # The teammate now sees it, read-only as to visibility.
            assert chat in {c["id"] for c in (await teammate.http.get(listing)).json()}
            seen = await teammate.http.get(f"/w/{ws}/c/{chat}/actions")
            assert seen.status_code == 200
            assert "Only its creator can make it private." in seen.text
            assert "Make private" not in seen.text
            refused = await teammate.http.post(
                f"/w/{ws}/c/{chat}/visibility", data={"visibility": "private"}
            )
            assert refused.status_code == 403
            sidebar = await teammate.http.get(f"/w/{ws}/sidebar/conversations")
            assert "Roadmap notes" in sidebar.text

            # Rename from the drawer's row menu on the phone.
            await page.get_by_role("button", name="Menu").click()
            row = _row(page, chat)
            await row.get_by_label("Actions for Roadmap notes").click()
            await row.locator("summary", has_text="Rename").click()
            await shot(page, "03-phone-sidebar-menu")
            await row.get_by_label("New title").fill("Roadmap 2027")
            await row.get_by_role("button", name="Save").click()
            await expect(row.locator("[data-row-title]")).to_have_text("Roadmap 2027")
            await expect(page.locator("[data-conversation-title]")).to_have_text("Roadmap 2027")
            await page.get_by_role("button", name="Menu").click()

            # Take it back: the teammate no longer sees it at all.
            await page.get_by_label("Conversation actions").click()
            await page.get_by_role("button", name="Make private").click()
            await expect(page.locator(".chat-head .tag", has_text="shared")).to_have_count(0)
            await shot(page, "04-private-again")
            assert chat not in {c["id"] for c in (await teammate.http.get(listing)).json()}
            assert (await teammate.http.get(f"/w/{ws}/c/{chat}")).status_code == 404
        finally:
            await context.close()
    assert errors == []


async def test_viewer_sees_no_organise_controls(stack: Stack) -> None:
    async with new_user(stack, "vi") as owner, new_user(stack, "vo") as viewer:
        ws = await owner.create_workspace("Read Co")
        await viewer.join(owner, ws, "viewer")
        chat = await _conversation(owner, ws, "Shared plan", visibility="shared")
        project = await _project(owner, ws, "Ideas")
        page = await viewer.http.get(f"/w/{ws}/c/{chat}")
        assert page.status_code == 200
        assert "Actions for" not in page.text and "/rename" not in page.text
        actions = await viewer.http.get(f"/w/{ws}/c/{chat}/actions")
        assert "Conversation actions" not in actions.text
        assert "read-only for you" in actions.text
        project_page = await viewer.http.get(f"/w/{ws}/p/{project}")
        assert project_page.status_code == 200
        assert "New chat in this project" not in project_page.text
        renamed = await viewer.http.post(f"/w/{ws}/c/{chat}/rename", data={"title": "Mine now"})
        assert renamed.status_code == 404
        assert (await viewer.http.get(f"/w/{ws}/c/{chat}/move")).status_code == 404
        other = uuid.uuid4()
        assert (await viewer.http.get(f"/w/{ws}/p/{other}")).status_code == 404

        # Without JavaScript the delete form's first post only asks.
        asked = await owner.http.post(f"/w/{ws}/c/{chat}/delete", data={})
        assert asked.status_code == 200
        assert "Delete for good" in asked.text
        assert (await owner.http.get(f"/api/conversations/{chat}")).status_code == 200


async def test_project_page_pages_its_conversations_newest_first(stack: Stack) -> None:
    async with new_user(stack, "pia") as owner:
        ws = await owner.create_workspace("Paging Co")
        project = await _project(owner, ws, "Big project")
        outside = await _conversation(owner, ws, "Not in the project")
        inside = [
            await _conversation(owner, ws, f"Topic {n:02d}", project_id=project) for n in range(31)
        ]
        page = await owner.http.get(f"/w/{ws}/p/{project}")
        assert page.status_code == 200
        row_id = r'class="project-conversation" data-conversation-row="([^"]+)"'
        rows = re.findall(row_id, page.text)
        assert rows == list(reversed(inside))[:30]
        assert outside not in page.text
        assert f"/w/{ws}/p/{project}/conversations?offset=30" in page.text
        more = await owner.http.get(f"/w/{ws}/p/{project}/conversations", params={"offset": 30})
        assert re.findall(r'data-conversation-row="([^"]+)"', more.text) == [inside[0]]
        assert "More conversations" not in more.text
        sidebar = await owner.http.get(f"/w/{ws}")
        assert f'href="/w/{ws}/p/{project}"' in sidebar.text
