"""Files in the chat page, in Chromium: an image dropped on the composer (or a file chosen with
the attach button) is uploaded, sent with the message and shown in the thread (the image in
place, other files as download chips), on a desktop and a phone screen; models that cannot read
images are marked."""

from __future__ import annotations

import base64

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.chat_helpers import DESKTOP, KEYS, PHONE, member_session
from tests.e2e.conftest import Shot
from tests.support import Stack
from tests.unit.files import samples

pytestmark = pytest.mark.e2e

IMAGE = samples.png(96, 64, (37, 99, 235))

_DROP = """async ([b64, name]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type: "image/png" }));
  const target = document.querySelector("[data-composer] textarea");
  for (const type of ["dragenter", "dragover", "drop"]) {
    const init = { bubbles: true, cancelable: true, dataTransfer: transfer };
    target.dispatchEvent(new DragEvent(type, init));
  }
}"""


async def _drop_image(page: Page, name: str) -> None:
    await page.evaluate(_DROP, [base64.b64encode(IMAGE).decode(), name])


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_an_image_dropped_on_the_composer_is_sent_and_shown_in_the_thread(
    chromium: Browser, stack: Stack, shot: Shot, viewport: dict[str, int]
) -> None:
    async with member_session(chromium, stack, viewport=viewport) as s:
        page = s.page
        await page.goto(s.ws_url + "/c/new")
        await page.get_by_label("Model", exact=True).select_option("openai/gpt-4o")

        await _drop_image(page, "blue-square.png")
        chip = page.locator("[data-attached] li[data-attachment-id]")
        await expect(chip).to_have_count(1, timeout=10_000)
        await expect(chip).to_contain_text("blue-square.png")
        await shot(page, f"01-attached-{viewport['width']}")
        await s.send("What colour is this?")
        await s.answered(1)

        shown = page.locator(".message.user .message-attachments img")
        await expect(shown).to_have_count(1)
        await expect(shown).to_have_attribute("alt", "blue-square.png")
        assert await shown.evaluate("(img) => img.complete && img.naturalWidth") == 96
        await expect(page.locator("[data-attached] li")).to_have_count(0)
        await shot(page, f"02-sent-{viewport['width']}")
        await page.reload()
        await expect(page.locator(".message.user .message-attachments img")).to_have_count(1)
        await assert_accessible(page, "chat with an attached image")
        assert s.errors == [], s.errors


async def test_the_attach_button_sends_a_pdf_shown_as_a_download_chip(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    async with member_session(chromium, stack) as s:
        page = s.page
        await page.goto(s.ws_url + "/c/new")
        await page.get_by_label("Model", exact=True).select_option("openai/gpt-4o")
        async with page.expect_file_chooser() as chooser:
            await page.get_by_role("button", name="Attach files").click()
        pdf = samples.pdf_with_text("Minutes of the meeting")
        await (await chooser.value).set_files(
            {"name": "minutes.pdf", "mimeType": "application/pdf", "buffer": pdf}
        )
        await expect(page.locator("[data-attached] li[data-attachment-id]")).to_have_count(1)
        await s.send("Summarise the minutes")
        await s.answered(1)

        chip = page.locator(".message.user .attachment-chip")
        await expect(chip).to_contain_text("minutes.pdf")
        await expect(chip).to_have_attribute("download", "")
        await expect(page.locator(".message.user [data-body]")).to_have_text(
            "Summarise the minutes"
        )
        await shot(page, "01-pdf-chip")
        assert s.errors == [], s.errors


async def test_models_that_cannot_read_images_are_marked_and_warned_about(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    keys = {**KEYS, "groq": "gsk_e2e_groq_0003"}
    async with member_session(chromium, stack, keys=keys) as s:
        page = s.page
        await page.goto(s.ws_url + "/c/new")
        picker = page.get_by_label("Model", exact=True)
        text_only = picker.locator('option[value="groq/llama-3.3-70b-versatile"]')
        await expect(text_only).to_contain_text("no images")
        await expect(picker.locator('option[value="openai/gpt-4o"]')).not_to_contain_text(
            "no images"
        )

        await _drop_image(page, "photo.png")
        await expect(page.locator("[data-attached] li[data-attachment-id]")).to_have_count(1)
        await picker.select_option("groq/llama-3.3-70b-versatile")

        await expect(page.locator("[data-status]")).to_contain_text("cannot read images")
        await shot(page, "01-text-only-model-warned")
