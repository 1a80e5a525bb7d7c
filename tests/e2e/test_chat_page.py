"""The chat page as a team uses it every day, in Chromium: failures said on the answer, the branch
on screen continued, labels and authors right, the composer's keys, autoscroll, the daily actions
(copy, regenerate with any model, edit and resend), per-answer figures and the cost preview."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.chat_helpers import member_session, scenario
from tests.e2e.conftest import Shot
from tests.support import Stack, new_user

pytestmark = pytest.mark.e2e


async def test_a_provider_error_stays_on_the_answer_live_and_after_reload(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    async with member_session(chromium, stack) as s:
        page = s.page
        await page.goto(s.ws_url + "/c/new")
        await page.get_by_label("Model", exact=True).select_option("openai/gpt-4o-mini")
        async with scenario(stack, model="gpt-4o-mini", error="overloaded"):
            await s.send("Are you there?")
            failed = page.locator(".message.assistant [data-notice=error]")
            await expect(failed).to_contain_text("This answer failed", timeout=15_000)
        await s.answered(1)
        await page.wait_for_timeout(500)  # the sentence must not flash and vanish
        await expect(failed).to_be_visible()
        await expect(page.locator("[data-status]")).to_contain_text("error")
        await expect(page.locator(".message.user")).to_contain_text("Are you there?")
        await shot(page, "01-error-live")
        await page.reload()
        await expect(page.locator(".message.assistant [data-notice=error]")).to_contain_text(
            "This answer failed"
        )
        await shot(page, "02-error-after-reload")
        await assert_accessible(page, "chat with a failed answer")
        assert not [e for e in s.errors if "503" not in e], s.errors


async def test_sending_from_an_older_branch_continues_that_branch(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    async with member_session(chromium, stack) as s:
        page = s.page
        await page.goto(s.ws_url + "/c/new")
        await page.get_by_label("Model", exact=True).select_option("openai/gpt-4o")
        await s.send("First question")
        await s.answered(1)
        first = await page.locator(".message.assistant").get_attribute("data-message-id")
        # Regenerate with another model from the menu: a second version of the answer.
        await page.locator(".message.assistant summary", has_text="Regenerate").click()
        await page.get_by_role("button", name=re.compile("Claude Haiku 4.5")).click()
        await expect(page.locator(".branches").first).to_contain_text("2/2", timeout=15_000)
        await expect(page.locator(".message.assistant .who")).to_have_text(
            "anthropic/claude-haiku-4-5"
        )
        # Back to version 1 and continue from it.
        await page.get_by_role("link", name="Previous version").click()
        await expect(page.locator(".branches").first).to_contain_text("1/2")
        await s.send("Follow-up on the first version")
        await s.answered(2)
        conversation_id = page.url.split("/c/")[1].split("?")[0]
        detail = await s.api("GET", f"/api/conversations/{conversation_id}")
        follow_up = next(m for m in detail["messages"] if m["text"].startswith("Follow-up"))
        assert follow_up["parent_id"] == first
        await page.reload()
        await expect(page.locator(".message.user").last).to_contain_text("Follow-up")
        await expect(page.locator(".branches").first).to_contain_text("1/2")
        assert (
            await page.locator(".message.assistant").first.get_attribute("data-message-id") == first
        )
        # Saved answers are labelled once: provider/model, never provider/provider/model.
        await expect(page.locator(".message.assistant .who").first).to_have_text("openai/gpt-4o")
        await shot(page, "01-continued-older-branch")
        assert not s.errors, s.errors


async def test_edit_and_resend_copy_and_answer_figures(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    async with member_session(chromium, stack) as s:
        page = s.page
        await s.context.grant_permissions(["clipboard-read", "clipboard-write"])
        await page.goto(s.ws_url + "/c/new")
        await page.get_by_label("Model", exact=True).select_option("openai/gpt-4o")
        preview = page.locator("[data-cost-preview]")
        await expect(preview).to_contain_text(re.compile(r"Next turn ≈ .*\$.*workspace key"))
        await s.send("Original wording")
        await s.answered(1)
        answer = page.locator(".message.assistant")
        stats = answer.locator("[data-stats]")
        await expect(stats).to_contain_text(re.compile(r"\d+ in · \d+ out"))
        await expect(stats).to_contain_text("$")
        await expect(answer.locator(".tag")).to_have_text("workspace key")
        # Copy puts the raw answer on the clipboard.
        await answer.get_by_role("button", name="Copy").click()
        copied = await page.evaluate("navigator.clipboard.readText()")
        assert "messages=1" in copied
        # Edit the question: a new branch, answered again.
        await page.locator(".message.user").get_by_role("button", name="Edit").click()
        editor = page.get_by_label("Edit your message")
        await editor.fill("Better wording")
        await page.get_by_role("button", name="Save and send").click()
        await s.answered(1)
        await expect(page.locator(".message.user")).to_contain_text("Better wording")
        await expect(page.locator(".message.user .branches")).to_contain_text("2/2")
        await expect(page.locator(".message.assistant")).to_contain_text("last_user=Better")
        await shot(page, "01-edited")
        await page.locator(".message.assistant summary", has_text="Regenerate").click()
        await assert_accessible(page, "chat with an answer and the regenerate menu open")
        assert not s.errors, s.errors


async def test_keys_enter_sends_shift_enter_breaks_escape_stops_and_autoscroll(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    async with member_session(chromium, stack) as s:
        page = s.page
        await page.goto(s.ws_url + "/c/new")
        box = page.get_by_role("textbox", name="Message")
        await box.fill("line one")
        await box.press("Shift+Enter")
        await box.type("line two")
        assert await box.input_value() == "line one\nline two"
        await expect(page.locator(".message")).to_have_count(0)
        long_reply = "\n\n".join(f"Paragraph {i} of a long answer." for i in range(120))
        async with scenario(stack, reply=long_reply, chunks=120, interval_ms=40):
            await box.press("Enter")
            await expect(page.locator(".message.user")).to_contain_text("line two")
            # While following, the newest text stays in view.
            await page.wait_for_timeout(2500)
            at_bottom = await page.evaluate(
                "(() => { const e = document.scrollingElement;"
                " return e.scrollHeight - e.scrollTop - e.clientHeight; })()"
            )
            assert at_bottom < 200
            # Scroll up: the page stops following.
            await page.mouse.wheel(0, -1500)
            await page.wait_for_timeout(300)
            held = await page.evaluate("document.scrollingElement.scrollTop")
            await page.wait_for_timeout(1000)
            assert await page.evaluate("document.scrollingElement.scrollTop") == held
            await page.keyboard.press("Escape")
            stopped = page.locator(".message.assistant [data-notice=incomplete]")
            await expect(stopped).to_contain_text("Stopped", timeout=15_000)
        await shot(page, "01-stopped")
        await page.reload()
        await expect(page.locator(".message.assistant [data-notice=incomplete]")).to_contain_text(
            "Stopped"
        )
        assert not [e for e in s.errors if "404" not in e], s.errors


async def test_shared_conversation_names_each_author(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    async with (
        member_session(chromium, stack, name="Olive Owner") as s,
        new_user(stack, "Sam") as sam,
    ):
        page = s.page
        await page.goto(s.ws_url + "/c/new")
        await s.send("Owner speaking")
        await s.answered(1)
        conversation_id = page.url.split("/c/")[1]
        await s.api("PATCH", f"/api/conversations/{conversation_id}", {"visibility": "shared"})
        invite = await s.api("POST", f"/api/workspaces/{s.ws_id}/invites", {"role": "member"})
        assert (await sam.post(f"/api/invites/{invite['token']}/accept")).status_code == 201
        async with sam.stream(
            "POST",
            f"/api/conversations/{conversation_id}/messages",
            json={"content": "Sam chiming in", "model": "openai/gpt-4o"},
        ) as response:
            assert response.status_code == 200
            await response.aread()
        await page.reload()
        users = page.locator(".message.user .who")
        await expect(users).to_have_text(["You", "Sam"])
        await shot(page, "01-authors")
        assert not s.errors, s.errors


async def test_credits_counter_follows_platform_spend_without_reload(
    chromium: Browser, stack: Stack, shot: Shot, platform_groq: None
) -> None:
    async with member_session(chromium, stack, keys={}) as s:
        page = s.page
        await page.goto(s.ws_url + "/c/new")
        counter = page.locator("[data-credits]")
        before = int((await counter.inner_text()).replace(",", ""))
        picker = page.get_by_label("Model", exact=True)
        await picker.select_option("groq/llama-3.3-70b-versatile")
        await expect(page.locator("[data-cost-preview]")).to_contain_text("credit")
        await s.send("Spend a little " + "context " * 400)
        await s.answered(1)
        await expect(page.locator(".message.assistant [data-stats]")).to_contain_text("credit")
        await expect(counter).not_to_have_text(f"{before:,}")
        after = int((await counter.inner_text()).replace(",", ""))
        assert after < before
        await shot(page, "01-credits")
        assert not s.errors, s.errors


async def test_a_new_chat_titles_itself_in_the_heading_and_sidebar_without_reload(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    async with member_session(chromium, stack) as s:
        page = s.page
        await page.goto(s.ws_url + "/c/new")
        await expect(page.locator("[data-conversation-title]")).to_have_text("New chat")
        prompt = (
            "Please summarise the quarterly planning notes for the platform team and list the "
            "three riskiest assumptions"
        )
        await s.send(prompt)
        await s.answered(1)
        title = page.locator("[data-conversation-title]")
        await expect(title).to_have_text(re.compile(r"^Please summarise .*…$"))
        shown = await title.inner_text()
        assert len(shown) <= 80
        assert prompt.startswith(shown.removesuffix("…").rstrip())
        assert prompt[len(shown.removesuffix("…").rstrip())] == " "  # cut between words
        row = page.locator("#sidebar-conversations a[aria-current=page]")
        await expect(row).to_have_text(shown)
        await shot(page, "01-titled")
        assert not s.errors, s.errors
