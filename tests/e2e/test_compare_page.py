"""Compare in Chromium: continuing keeps the chosen lane's model, verdicts then a pick both work,
a second prompt works, each lane says its own failure, and the checklist previews each cost."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.chat_helpers import Session, member_session, scenario
from tests.e2e.conftest import Shot
from tests.support import Stack

pytestmark = pytest.mark.e2e

GPT, CLAUDE = "openai/gpt-4o", "anthropic/claude-haiku-4-5"


async def _compare(s: Session, prompt: str, *models: str) -> Page:
    page = s.page
    for ref in models:
        await page.locator(f"input[name=models][value='{ref}']").check()
    await page.get_by_role("textbox", name="Message").fill(prompt)
    await page.get_by_role("button", name="Compare").click()
    await expect(
        page.locator("[data-lane-status]", has_text=re.compile("done|failed"))
    ).to_have_count(len(models), timeout=20_000)
    return page


async def test_continuing_on_a_claude_lane_keeps_claude(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    async with member_session(chromium, stack) as s:
        await s.page.goto(s.ws_url + "/compare")
        estimate = s.page.locator("label", has_text="GPT-4o ·").first.locator("[data-estimate]")
        await expect(estimate).to_contain_text("≈ $")
        page = await _compare(s, "Which is best?", GPT, CLAUDE)
        await expect(page.locator("[data-lane-stats]").nth(1)).to_contain_text("out")
        await shot(page, "01-lanes")
        await assert_accessible(page, "compare with two answers")
        await page.locator("[data-lanes] .lane").nth(1).get_by_role("button").click()
        await expect(page).to_have_url(re.compile(r"/c/[0-9a-f-]{36}$"))
        await expect(page.get_by_label("Model", exact=True)).to_have_value(CLAUDE)
        await s.send("And a follow-up")
        await s.answered(2)
        await expect(page.locator(".message.assistant .who").last).to_have_text(CLAUDE)
        await expect(page.locator(".message.assistant").last).to_contain_text(f"[{CLAUDE}]")
        await shot(page, "02-continued-on-claude")
        assert not s.errors, s.errors


async def test_a_tie_then_a_pick_and_a_second_prompt_all_work(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    async with member_session(chromium, stack) as s:
        await s.page.goto(s.ws_url + "/compare")
        page = await _compare(s, "First round", GPT, CLAUDE)
        await page.get_by_role("button", name="It's a tie").click()
        await expect(page.locator("[data-status]")).to_contain_text("Recorded: a tie")
        # A second prompt on the compare page is a new comparison, not a 409.
        await page.get_by_role("textbox", name="Message").fill("Second round")
        await page.get_by_role("button", name="Compare").click()
        await expect(page.locator("[data-lane-status]", has_text="done")).to_have_count(
            2, timeout=20_000
        )
        await expect(page.locator("[data-lanes] .lane").first).to_contain_text("Second round")
        await page.get_by_role("button", name="Both are bad").click()
        await expect(page.locator("[data-status]")).to_contain_text("both answers were bad")
        # Picking a lane after the verdict continues on it.
        await page.locator("[data-lanes] .lane").nth(0).get_by_role("button").click()
        await expect(page).to_have_url(re.compile(r"/c/[0-9a-f-]{36}$"))
        await expect(page.get_by_label("Model", exact=True)).to_have_value(GPT)
        await shot(page, "01-picked-after-verdict")
        assert not s.errors, s.errors


async def test_a_failing_lane_says_why_and_the_others_finish(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    async with member_session(chromium, stack) as s:
        await s.page.goto(s.ws_url + "/compare")
        async with scenario(stack, model="claude-haiku-4-5", error="overloaded"):
            page = await _compare(s, "Anyone there?", GPT, CLAUDE)
        failing = page.locator("[data-lanes] .lane").nth(1)
        await expect(failing.locator("[data-notice=error]")).to_contain_text("This answer failed")
        await expect(page.locator("[data-lanes] .lane").nth(0)).to_contain_text("Anyone there?")
        await shot(page, "01-failed-lane")
        assert not s.errors, s.errors


async def test_blind_compare_hides_names_and_telling_figures_until_the_vote(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    async with member_session(chromium, stack) as s:
        await s.page.goto(s.ws_url + "/compare")
        await s.page.get_by_label("Blind: hide model names until I vote").check()
        page = await _compare(s, "Judge us blind", GPT, CLAUDE)
        lanes = page.locator("[data-lanes] .lane")
        await expect(lanes.locator("[data-lane-model]")).to_have_text(["Model A", "Model B"])
        for index in range(2):
            lane = lanes.nth(index)
            await expect(lane).to_contain_text("Judge us blind")
            await expect(lane.locator("[data-lane-stats]")).to_have_text("")
            assert "$" not in await lane.inner_text()
        await shot(page, "01-blind")
        await page.get_by_role("button", name="It's a tie").click()
        await expect(lanes.locator("[data-lane-model]")).to_have_text([GPT, CLAUDE])
        await expect(lanes.nth(0).locator("[data-lane-stats]")).to_contain_text("$")
        await shot(page, "02-revealed")
        assert not s.errors, s.errors
