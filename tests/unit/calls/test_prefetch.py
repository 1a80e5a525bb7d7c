"""A provider stream sent ahead of its reader: read, it is the stream itself; abandoned, it ends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from adapters import Finish, StreamEvent, TextDelta
from workspace.calls.prefetch import Prefetch


class Provider:
    """A stand-in provider stream that records how far it got and whether it was closed."""

    def __init__(self, words: list[str], pause: float = 0.0) -> None:
        self.words, self.pause = words, pause
        self.sent: list[str] = []
        self.closed = False

    async def stream(self) -> AsyncIterator[StreamEvent]:
        try:
            for word in self.words:
                await asyncio.sleep(self.pause)
                self.sent.append(word)
                yield TextDelta(word)
            yield Finish("stop")
        finally:
            self.closed = True


async def test_read_later_it_yields_what_the_stream_yielded() -> None:
    provider = Provider(["a", "b", "c"])
    ahead = Prefetch(provider.stream(), unread_s=5)
    await asyncio.sleep(0.05)
    assert provider.sent == ["a", "b", "c"]  # sent before anyone read
    events = [e async for e in ahead.events()]
    assert [e.text for e in events if isinstance(e, TextDelta)] == ["a", "b", "c"]
    assert isinstance(events[-1], Finish)


async def test_nobody_reading_ends_the_provider_request() -> None:
    provider = Provider(["x"] * 100, pause=0.01)
    Prefetch(provider.stream(), unread_s=0.05)
    await asyncio.sleep(0.3)
    assert provider.closed and len(provider.sent) < 100


async def test_a_reader_that_stops_ends_it_too() -> None:
    provider = Provider(["x"] * 100, pause=0.01)
    ahead = Prefetch(provider.stream(), unread_s=5)
    async for _ in ahead.events():
        break
    await asyncio.sleep(0.05)
    assert provider.closed and len(provider.sent) < 100


async def test_an_error_is_raised_to_the_reader() -> None:
    async def failing() -> AsyncIterator[StreamEvent]:
        yield TextDelta("a")
        raise RuntimeError("boom")

    ahead = Prefetch(failing(), unread_s=5)
    with pytest.raises(RuntimeError, match="boom"):
        async for _ in ahead.events():
            pass
