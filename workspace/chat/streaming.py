"""Model answers as Server-Sent Events: one lane per model call, multiplexed onto one stream.

A single message is a stream with one lane; a compare has several, each tagged with ``lane``.
Every lane (:mod:`workspace.chat.lanes`) runs in its own task and feeds one outbox, so a slow or
failing lane never holds up another, and the response sends each event
(:mod:`workspace.chat.events`) the moment it arrives: nothing waits to be batched, but the events
that arrived together (a provider's chunks read from one packet) go out in one write.

While nothing has been sent for ``SWITCHBOARD_SSE_KEEPALIVE_S`` seconds (a slow first token), a
``: keep-alive`` comment keeps proxies from closing the connection.

A stream waiting for its first token holds no database connection, and as little memory as the
multiplexing can: one outbox and one timer besides the lanes' tasks
(:class:`EventStream` writes the events without Litestar's per-stream thread detour).

A client that goes away cancels the stream: every lane's task is cancelled, which closes the
provider's HTTP response, and each lane stores what it had as an ``incomplete`` message. Storing
happens in ``finally`` on a fresh session, shielded from the cancellation.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Final

from anyio import CancelScope
from litestar.response import ServerSentEvent, Stream

from workspace.chat.events import StreamEvent, frame
from workspace.chat.lanes import Lane, StreamContext, failure, run_lane
from workspace.http.streams import EndingStream, Last

log = logging.getLogger(__name__)

KEEPALIVE: Final = b": keep-alive\r\n\r\n"

Item = bytes | None
"""What goes out, in order (an event's frame); ``None`` says one lane has ended."""


class _Outbox:
    """The stream's events in order, and at most one reader waiting for the next.

    Lighter than :class:`asyncio.Queue` (four deques and an event), which every open stream
    would carry for as long as it waits for a first token; a list rather than a deque too (a
    deque's first block alone is 0.6 KiB, and the reader keeps this list all but empty)."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: list[Item] = []
        self._waiter: asyncio.Future[None] | None = None

    def put(self, item: Item) -> None:
        self._items.append(item)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def take(self) -> list[Item]:
        """Every item put since the last take (at least one: waits for it)."""
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        items, self._items = self._items, []
        return items


class _Keepalive:
    """A ``: keep-alive`` comment whenever nothing was sent for ``every`` seconds: one timer,
    re-armed for what is left of the interval, rather than a task per stream."""

    __slots__ = ("_every", "_handle", "_outbox", "last_sent")

    def __init__(self, outbox: _Outbox, every: float) -> None:
        self._outbox, self._every = outbox, every
        self.last_sent = time.monotonic()
        self._handle = asyncio.get_running_loop().call_later(every, self._tick)

    def _tick(self) -> None:
        now = time.monotonic()
        wait = self.last_sent + self._every - now
        if wait <= 0:
            self.last_sent, wait = now, self._every
            self._outbox.put(KEEPALIVE)
        self._handle = asyncio.get_running_loop().call_later(wait, self._tick)

    def cancel(self) -> None:
        self._handle.cancel()


async def _lane_task(ctx: StreamContext, lane: Lane, outbox: _Outbox) -> None:
    def emit(event: StreamEvent) -> None:
        outbox.put(frame(event))

    try:
        await run_lane(ctx, lane, emit)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        for event in failure(lane, exc):
            emit(event)
    finally:
        outbox.put(None)


async def multiplex(
    ctx: StreamContext,
    lanes: Sequence[Lane],
    on_done: Callable[[Sequence[Lane]], Awaitable[None]],
) -> AsyncIterator[bytes]:
    """Run every lane concurrently and yield their events as they come: each time, the frames
    of every event that is ready, as one chunk (one write). The request's own end
    (``on_done``) is written before the last frames, which end the body in their write: a
    client that has seen the end sees the compare done and the retry's answer stored."""
    outbox = _Outbox()
    tasks = [asyncio.create_task(_lane_task(ctx, lane, outbox)) for lane in lanes]
    keepalive = _Keepalive(outbox, ctx.runtime.settings.sse_keepalive_s)
    remaining, finished = len(tasks), False
    try:
        while remaining:
            frames = []
            for item in await outbox.take():
                if item is None:
                    remaining -= 1
                else:
                    frames.append(item)
            if not remaining:
                await _finish(on_done, lanes)
                finished = True
            if frames:
                keepalive.last_sent = time.monotonic()
                yield b"".join(frames) if remaining else Last(b"".join(frames))
    finally:
        keepalive.cancel()
        with CancelScope(shield=True):
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if not finished:
                await _finish(on_done, lanes)


async def _finish(
    on_done: Callable[[Sequence[Lane]], Awaitable[None]], lanes: Sequence[Lane]
) -> None:
    with CancelScope(shield=True):
        try:
            await on_done(lanes)
        except Exception:
            log.exception("could not finish the stream's bookkeeping")


class EventStream(EndingStream, ServerSentEvent):
    """The events' frames as ``text/event-stream``, written as they come.

    Litestar's own :class:`ServerSentEvent` first reads an (empty) preamble on a worker thread and
    then streams from inside the ``except`` that ended it, so every open stream kept that
    exception, its traceback and the worker's frames alive (and paid a thread hop to start)."""

    def __init__(self, frames: AsyncIterator[bytes]) -> None:
        Stream.__init__(self, content=frames, media_type="text/event-stream")
        self.headers.setdefault("Cache-Control", "no-cache")
        self.headers["Connection"] = "keep-alive"
        self.headers["X-Accel-Buffering"] = "no"
