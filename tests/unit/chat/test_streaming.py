"""The stream's outbox and keep-alive timer, and how events are written."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from workspace.chat.streaming import KEEPALIVE, EventStream, _Keepalive, _Outbox


async def test_the_outbox_hands_out_items_in_order_and_wakes_a_waiting_reader() -> None:
    outbox = _Outbox()
    reader = asyncio.create_task(outbox.take())
    await asyncio.sleep(0)
    outbox.put(b"1")
    assert await reader == [b"1"]
    # What arrived together goes out together (one write), in order.
    outbox.put(b"2")
    outbox.put(b"3")
    outbox.put(None)
    assert await outbox.take() == [b"2", b"3", None]
    reader = asyncio.create_task(outbox.take())
    await asyncio.sleep(0.01)
    assert not reader.done(), "an empty outbox waits"
    outbox.put(b"4")
    assert await reader == [b"4"]


async def test_a_keepalive_goes_out_only_after_a_silence() -> None:
    outbox = _Outbox()
    keepalive = _Keepalive(outbox, 0.05)
    try:
        started = time.monotonic()
        await asyncio.sleep(0.03)
        keepalive.last_sent = time.monotonic()  # something was sent: the silence restarts
        assert await asyncio.wait_for(outbox.take(), 1) == [KEEPALIVE]
        assert time.monotonic() - started >= 0.075
        assert await asyncio.wait_for(outbox.take(), 1) == [KEEPALIVE]
    finally:
        keepalive.cancel()


async def test_events_are_written_as_server_sent_events() -> None:
    async def events() -> AsyncIterator[bytes]:
        yield b'event: delta\r\ndata: {"text":"hi"}\r\n\r\n'
        yield KEEPALIVE

    response = EventStream(events())
    assert response.media_type == "text/event-stream"
    assert response.headers["X-Accel-Buffering"] == "no"
    assert response.headers["Cache-Control"] == "no-cache"
    body = [chunk async for chunk in response.iterator]  # type: ignore[union-attr]
    assert body == [b'event: delta\r\ndata: {"text":"hi"}\r\n\r\n', b": keep-alive\r\n\r\n"]
