"""The Messages API SSE body read line by line: framing, pings, error events, the reader."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anthropic
import httpx2
import pytest

from adapters.anthropic.errors import map_anthropic_error
from adapters.anthropic.translate import EventReader
from adapters.anthropic.wire import Event, read_events
from adapters.errors import ProviderUnavailable
from adapters.types import ReasoningDelta, ToolCallDelta, Usage

RESPONSE = httpx2.Response(200, request=httpx2.Request("POST", "http://provider.test/v1/messages"))
START = (
    '{"type": "message_start", "message": {"id": "m", "usage": {"input_tokens": 10, '
    '"cache_read_input_tokens": 4, "cache_creation_input_tokens": null}}}'
)


async def _lines(*lines: str) -> AsyncIterator[bytes]:
    """The lines as a body, a few bytes per chunk (cut anywhere, as a network cuts)."""
    body = "".join(f"{line}\r\n" for line in lines).encode()
    for start in range(0, len(body), 7):
        yield body[start : start + 7]


async def _read(*lines: str) -> list[Event]:
    return [event async for event in read_events(_lines(*lines), RESPONSE)]


async def test_events_are_named_framed_by_blank_lines_and_pings_skipped() -> None:
    events = await _read(
        "event: message_start",
        f"data: {START}",
        "",
        "event: ping",
        'data: {"type": "ping"}',
        "",
        "event: content_block_delta",
        'data:{"type": "content_block_delta", "index": 0,',
        'data: "delta": {"type": "text_delta", "text": "Hi"}}',
        "",
        "event: message_stop",
        'data: {"type": "message_stop"}',
    )
    assert [e.type for e in events] == ["message_start", "content_block_delta", "message_stop"]
    assert events[1].delta is not None and events[1].delta.text == "Hi"


async def test_the_reader_turns_events_into_canonical_ones() -> None:
    reader = EventReader()
    events = await _read(
        "event: message_start",
        f"data: {START}",
        "",
        "event: content_block_start",
        'data: {"type": "content_block_start", "index": 0, "content_block": '
        '{"type": "thinking", "thinking": "hm"}}',
        "",
        "event: content_block_start",
        'data: {"type": "content_block_start", "index": 1, "content_block": '
        '{"type": "tool_use", "id": "t1", "name": "weather", "input": {}}}',
        "",
        "event: content_block_delta",
        'data: {"type": "content_block_delta", "index": 1, "delta": '
        '{"type": "input_json_delta", "partial_json": "{\\"city\\""}}',
        "",
        "event: message_delta",
        'data: {"type": "message_delta", "delta": {"stop_reason": "tool_use"}, '
        '"usage": {"output_tokens": 7}}',
        "",
    )
    out = [o for e in events for o in reader.feed(e)]
    assert out == [
        ReasoningDelta("hm"),
        ToolCallDelta(index=0, id="t1", name="weather", arguments_delta=""),
        ToolCallDelta(index=0, id=None, name=None, arguments_delta='{"city"'),
        Usage(14, 7, 4),
    ]
    assert reader.finish == "tool_calls"


async def test_an_error_event_raises_the_sdks_status_error_mapped_by_its_type() -> None:
    with pytest.raises(anthropic.APIStatusError) as caught:
        await _read(
            "event: error",
            'data: {"type": "error", "error": {"type": "overloaded_error", "message": "Busy"}}',
            "",
        )
    error = map_anthropic_error(caught.value, provider="anthropic", display="Anthropic")
    assert isinstance(error, ProviderUnavailable)
    assert "Busy" in str(error)
