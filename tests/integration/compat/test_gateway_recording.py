"""A recorded gateway exchange keeps what a tool round trip said: the answer's tool calls and
the results the client sends back are stored as the chat domain's canonical parts, shown on
the conversation page, and sent again when the member continues the conversation there."""

from __future__ import annotations

import json

import openai

from tests.integration.chat.conftest import read_events
from tests.integration.compat.conftest import Gateway

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
MODEL = "anthropic/claude-sonnet-4-6"


def _openai(gateway: Gateway) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(
        base_url=f"{gateway.base_url}/v1", api_key=gateway.token, max_retries=0
    )


async def _round_trip(gateway: Gateway) -> tuple[str, str]:
    """The tool call recorded in a new conversation, then its result sent into it."""
    client = _openai(gateway)
    first = await client.chat.completions.with_raw_response.create(
        model=MODEL,
        messages=ASKED,
        tools=TOOLS,
        extra_headers={"X-Switchboard-Conversation": "new"},
    )
    conversation = first.headers["x-switchboard-conversation"]
    message = first.parse().choices[0].message
    calls = message.tool_calls or []
    assert [c.function.name for c in calls] == ["lookup"]
    stream = await client.chat.completions.create(
        model=MODEL,
        tools=TOOLS,
        stream=True,
        messages=[
            *ASKED,
            message.model_dump(exclude_none=True),
            {"role": "tool", "tool_call_id": calls[0].id, "content": "Otters hold hands."},
        ],
        extra_headers={"X-Switchboard-Conversation": conversation},
    )
    async for _ in stream:
        pass
    return conversation, calls[0].id


async def test_tool_calls_and_results_are_stored_as_canonical_parts(gateway: Gateway) -> None:
    conversation, call_id = await _round_trip(gateway)
    body = (await gateway.user.get(f"/api/conversations/{conversation}")).json()
    path = [m for m in body["messages"] if m["id"] in body["current_path"]]
    assert [m["role"] for m in path] == ["user", "assistant", "tool", "assistant"]
    calls = [p for p in path[1]["parts"] if p["type"] == "tool_call"]
    assert calls == [
        {
            "type": "tool_call",
            "id": call_id,
            "name": "lookup",
            "arguments": {"query": "use the tool for otters"},
        }
    ]
    results = path[2]["parts"]
    assert results == [
        {
            "type": "tool_result",
            "call_id": call_id,
            "name": "lookup",
            "content": "Otters hold hands.",
            "is_error": False,
        }
    ]
    assert path[3]["status"] == "complete"
    texts = "".join(p.get("text", "") for p in path[3]["parts"])
    assert "tool_result=Otters hold hands." in texts


async def test_the_conversation_page_shows_the_tools(gateway: Gateway) -> None:
    conversation, call_id = await _round_trip(gateway)
    page = await gateway.user.get(f"/w/{gateway.ws}/c/{conversation}")
    assert page.status_code == 200, page.text
    html = page.text
    assert f'data-tool="call" data-tool-call-id="{call_id}"' in html
    assert "Called lookup" in html
    assert json.dumps({"query": "use the tool for otters"}, indent=2).replace('"', "&#34;") in html
    assert f'data-tool="result" data-tool-call-id="{call_id}"' in html
    assert "Otters hold hands." in html
    assert "Tool results" in html


async def test_the_member_continues_it_in_the_workspace(gateway: Gateway) -> None:
    """The stored tool call and result are sent again (an orphan result would be refused)."""
    conversation, _ = await _round_trip(gateway)
    async with gateway.user.stream(
        "POST",
        f"/api/conversations/{conversation}/messages",
        json={"content": "thanks", "model": MODEL},
    ) as response:
        events = await read_events(response)
    assert events[-1].event == "message.end", events
    assert events[-1].data["status"] == "complete"
