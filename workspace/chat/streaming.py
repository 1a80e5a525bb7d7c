"""Model answers as Server-Sent Events: one lane per model call, multiplexed onto one stream.

A single message is a stream with one lane; a compare has several, each tagged with ``lane``.
Every lane (:mod:`workspace.chat.lanes`) runs in its own task and feeds one queue, so a slow or
failing lane never holds up another, and the response sends each event
(:mod:`workspace.chat.events`) the moment it arrives (nothing is buffered).

While nothing has been sent for ``SWITCHBOARD_SSE_KEEPALIVE_S`` seconds (a slow first token), a
``: keep-alive`` comment keeps proxies from closing the connection.

A client that goes away cancels the stream: every lane's task is cancelled, which closes the
provider's HTTP response, and each lane stores what it had as an ``incomplete`` message. Storing
happens in ``finally`` on a fresh session, shielded from the cancellation.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

from anyio import CancelScope
from litestar.response import ServerSentEventMessage

from workspace.chat.events import StreamEvent, encode
from workspace.chat.lanes import Lane, StreamContext, failure, run_lane

log = logging.getLogger(__name__)

KEEPALIVE_MESSAGE: Final = ServerSentEventMessage(data=None, comment="keep-alive")

Queue = asyncio.Queue[ServerSentEventMessage | None]
"""What goes out, in order; ``None`` says one lane has ended."""


@dataclass
class _Clock:
    last_sent: float = field(default_factory=time.monotonic)


async def _keepalive(queue: Queue, every: float, clock: _Clock) -> None:
    while True:
        await asyncio.sleep(max(0.0, clock.last_sent + every - time.monotonic()))
        if time.monotonic() - clock.last_sent >= every:
            clock.last_sent = time.monotonic()
            queue.put_nowait(KEEPALIVE_MESSAGE)


async def _lane_task(ctx: StreamContext, lane: Lane, queue: Queue) -> None:
    def emit(event: StreamEvent) -> None:
        queue.put_nowait(encode(event))

    try:
        await run_lane(ctx, lane, emit)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        for event in failure(lane, exc):
            emit(event)
    finally:
        queue.put_nowait(None)


async def multiplex(
    ctx: StreamContext,
    lanes: Sequence[Lane],
    on_done: Callable[[Sequence[Lane]], Awaitable[None]],
) -> AsyncIterator[ServerSentEventMessage]:
    """Run every lane concurrently and yield their events as they come."""
    queue: Queue = asyncio.Queue()
    clock = _Clock()
    tasks = [asyncio.create_task(_lane_task(ctx, lane, queue)) for lane in lanes]
    every = ctx.runtime.settings.sse_keepalive_s
    ticker = asyncio.create_task(_keepalive(queue, every, clock))
    remaining = len(tasks)
    try:
        while remaining:
            item = await queue.get()
            if item is None:
                remaining -= 1
                continue
            clock.last_sent = time.monotonic()
            yield item
    finally:
        ticker.cancel()
        with CancelScope(shield=True):
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, ticker, return_exceptions=True)
            try:
                await on_done(lanes)
            except Exception:
                log.exception("could not finish the stream's bookkeeping")
