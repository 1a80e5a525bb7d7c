"""SSE framing from a body's bytes, however the network cut them into chunks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import pytest

from adapters.sse import Event, sse_events

BODY = (
    ": a comment\r\n"
    "event: first\r\n"
    "data: one\r\n"
    "data:two\r\n"
    "\r\n"
    "id: 7\n"
    "data: h\u00e9 \u2603 \U0001f600\n"
    "\n"
    "retry: 100\r"
    "event: third\r"
    "data: {}\r"
    "\r"
    "data: unfinished"
).encode()
EXPECTED: list[Event] = [
    ("first", b"one\ntwo"),
    (None, "h\u00e9 \u2603 \U0001f600".encode()),
    ("third", b"{}"),
    (None, b"unfinished"),
]


async def _chunks(parts: Sequence[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def _events(parts: Sequence[bytes]) -> list[Event]:
    return [event async for event in sse_events(_chunks(parts))]


async def test_the_events_of_a_body_read_whole() -> None:
    assert await _events([BODY]) == EXPECTED


@pytest.mark.parametrize("cut", range(1, len(BODY)))
async def test_the_events_are_the_same_wherever_one_cut_falls(cut: int) -> None:
    """Between a CR and its LF, inside a multi-byte character, inside ``data:``."""
    assert await _events([BODY[:cut], BODY[cut:]]) == EXPECTED


async def test_the_events_are_the_same_a_byte_at_a_time() -> None:
    assert await _events([BODY[i : i + 1] for i in range(len(BODY))]) == EXPECTED


async def test_a_crlf_split_across_chunks_is_one_line_end() -> None:
    """Read as two line ends, the LF would end the event early and split its data."""
    assert await _events([b"data: a\r", b"\ndata: b\r\n\r\n"]) == [(None, b"a\nb")]


async def test_an_event_without_data_and_empty_chunks_yield_nothing() -> None:
    assert await _events([b"", b"event: ping\n\n", b"", b": keep-alive\n\n"]) == []
