"""A tool round trip made through the ``/v1`` gateway with ``X-Switchboard-Conversation``, opened
in Chromium: the answer shows the tool it called (name, then its arguments when unfolded), the
tool's result shows as its own message, the page stays accessible, and the member continues
the conversation from the composer."""

from __future__ import annotations

import openai
import pytest
from playwright.async_api import Browser, expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.chat_helpers import member_session
from tests.e2e.conftest import Shot
from tests.support import Stack

pytestmark = pytest.mark.e2e

MODEL = "anthropic/claude-sonnet-4-6"
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "lookup",
            "description": "Look something up.",
            "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
        },
    }
]
ASKED = [{"role": "user", "content": "use the tool for otters"}]


async def _recorded_round_trip(client: openai.AsyncOpenAI) -> str:
    first = await client.chat.completions.with_raw_response.create(
        model=MODEL,
        messages=ASKED,  # type: ignore[arg-type]
        tools=TOOLS,  # type: ignore[arg-type]
        extra_headers={"X-Switchboard-Conversation": "new"},
    )
    conversation = first.headers["x-switchboard-conversation"]
    message = first.parse().choices[0].message
    call = (message.tool_calls or [])[0]
    await client.chat.completions.create(
        model=MODEL,
        tools=TOOLS,  # type: ignore[arg-type]
        messages=[  # type: ignore[list-item]
            *ASKED,
            message.model_dump(exclude_none=True),
            {"role": "tool", "tool_call_id": call.id, "content": "Otters hold hands."},
        ],
        extra_headers={"X-Switchboard-Conversation": conversation},
    )
    return conversation


async def test_a_gateway_tool_round_trip_is_shown_and_can_be_continued(
    chromium: Browser, stack: Stack, shot: Shot
) -> None:
    async with member_session(chromium, stack) as s:
        made = await s.api(
            "POST", f"/api/workspaces/{s.ws_id}/tokens", {"name": "script", "scope": "api"}
        )
        client = openai.AsyncOpenAI(
            base_url=f"{stack.url}/v1", api_key=made["token"], max_retries=0
        )
        conversation = await _recorded_round_trip(client)

        page = s.page
        await page.goto(f"{s.ws_url}/c/{conversation}")
        call = page.locator('.message.assistant [data-tool="call"]')
        await expect(call).to_have_count(1)
        await expect(call.locator("summary")).to_have_text("Called lookup")
        await expect(call.locator("pre")).to_be_hidden()
        await call.locator("summary").click()
        await expect(call.locator("pre")).to_contain_text('"query": "use the tool for otters"')
        result = page.locator('.message.tool [data-tool="result"]')
        await expect(page.locator(".message.tool .who")).to_have_text("Tool results")
        await result.locator("summary").click()
        await expect(result.locator("pre")).to_have_text("Otters hold hands.")
        await expect(page.locator(".message.assistant").last).to_contain_text(
            "tool_result=Otters hold hands."
        )
        await shot(page, "01-gateway-tools")
        await assert_accessible(page, "conversation with tool calls")

        await page.get_by_label("Model", exact=True).select_option(MODEL)
        await s.send("thanks, and now?")
        await s.answered(3)
        assert s.errors == [], s.errors
