"""The Chat Completions SSE body read line by line: framing, `[DONE]`, error events."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2
import openai
import pytest

from adapters.openai_chat.translate import ChunkReader
from adapters.openai_chat.wire import Chunk, read_chunks
from adapters.types import ToolCallDelta, Usage

REQUEST = httpx2.Request("POST", "http://provider.test/v1/chat/completions")


async def _lines(*lines: str) -> AsyncIterator[bytes]:
    """The lines as a body, a few bytes per chunk (cut anywhere, as a network cuts)."""
    body = "".join(f"{line}\r\n" for line in lines).encode()
    for start in range(0, len(body), 7):
        yield body[start : start + 7]


async def _read(*lines: str) -> list[Chunk]:
    return [chunk async for chunk in read_chunks(_lines(*lines), REQUEST)]


async def test_events_are_split_on_blank_lines_and_end_at_done() -> None:
    chunks = await _read(
        ": keep-alive",
        'data: {"choices": [{"delta": {"content": "Hi"}}]}',
        "",
        "event: message",
        'data:{"choices": [{"delta": {"content": " there"}, "finish_reason": "stop"}]}',
        "",
        "data: [DONE]",
        "",
        'data: {"choices": [{"delta": {"content": "after done"}}]}',
        "",
    )
    assert [c.choices[0].delta.content for c in chunks if c.choices] == ["Hi", " there"]
    assert chunks[1].choices is not None and chunks[1].choices[0].finish_reason == "stop"


async def test_the_body_is_read_to_its_end_after_done() -> None:
    """A response closed before its last chunk loses its connection: the next call connects
    again (the SDK's own stream drains the body too)."""
    read: list[bytes] = []

    async def lines() -> AsyncIterator[bytes]:
        for chunk in (b'data: {"choices": []}\n\n', b"data: [DONE]\n\n", b"\n\n"):
            read.append(chunk)
            yield chunk
        read.append(b"end of body")

    chunks = [chunk async for chunk in read_chunks(lines(), REQUEST)]
    assert len(chunks) == 1
    assert read[-1] == b"end of body"


async def test_one_event_may_span_data_lines_and_the_last_needs_no_blank_line() -> None:
    chunks = await _read('data: {"choices": [],', 'data: "usage": {"prompt_tokens": 3}}')
    assert chunks[0].usage is not None and chunks[0].usage.prompt_tokens == 3


async def test_an_error_event_raises_the_sdks_error_with_its_message() -> None:
    with pytest.raises(openai.APIError, match="overloaded") as caught:
        await _read('data: {"error": {"message": "overloaded", "type": "server_error"}}', "")
    assert caught.value.body == {"message": "overloaded", "type": "server_error"}
    with pytest.raises(openai.APIError, match="An error occurred during streaming"):
        await _read('data: {"error": "boom"}', "")


async def test_null_counts_and_a_missing_tool_index_read_as_zero() -> None:
    reader = ChunkReader()
    chunks = await _read(
        'data: {"choices": [{"delta": {"tool_calls": [{"id": "c1", "function": {"name": "f"}}]}}]}',
        "",
        'data: {"choices": [], "usage": {"prompt_tokens": null, "completion_tokens": 2}}',
        "",
    )
    events = [event for chunk in chunks for event in reader.feed(chunk)]
    assert events == [
        ToolCallDelta(index=0, id="c1", name="f", arguments_delta=""),
        Usage(input_tokens=0, output_tokens=2, cached_tokens=0),
    ]
