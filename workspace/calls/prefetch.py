"""A provider stream started before anyone reads it, so the request reaches the provider while
the caller still writes its records (the user message, the streaming answer, its lease).

:class:`Prefetch` runs the stream in a task of its own and buffers its events until
:meth:`Prefetch.events` reads them. Whoever stops reading (a closed client, a failed commit that
means the events are never read) ends the provider request: reading stops it when the reader
closes, and a stream nobody starts reading within ``unread_s`` is cancelled by a timer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import aclosing

from adapters import StreamEvent

_END = object()


class Prefetch:
    """One provider stream, running ahead of its reader.

    The events wait in a plain list with one future for the reader to wait on, not an
    ``asyncio.Queue`` (four deques and an event: a few KiB per held stream)."""

    def __init__(self, stream: AsyncIterator[StreamEvent], unread_s: float) -> None:
        self.started = time.monotonic()
        self._ready: list[object] = []
        self._waiter: asyncio.Future[None] | None = None
        self._task = asyncio.create_task(self._pump(stream), name="provider-prefetch")
        self._unread = asyncio.get_running_loop().call_later(unread_s, self.cancel)

    async def _pump(self, stream: AsyncIterator[StreamEvent]) -> None:
        try:
            async with aclosing(stream):  # type: ignore[type-var]
                async for event in stream:
                    self._put(event)
        except Exception as exc:  # the reader raises it where the stream would have
            self._put(exc)
        finally:
            self._put(_END)

    def _put(self, item: object) -> None:
        self._ready.append(item)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def events(self) -> AsyncIterator[StreamEvent]:
        """The stream's events, as if read from it directly; read it once."""
        self._unread.cancel()
        try:
            while True:
                if not self._ready:
                    self._waiter = asyncio.get_running_loop().create_future()
                    await self._waiter
                item = self._ready.pop(0)  # a few items at most: the reader keeps up
                if item is _END:
                    return
                if isinstance(item, Exception):
                    raise item
                yield item  # type: ignore[misc]
        finally:
            self.cancel()

    def buffered(self) -> bool:
        """Whether the next event (or the stream's end) has arrived: a reader that forwards
        the events can hold them until it has not, and write what came together at once."""
        return bool(self._ready)

    def cancel(self) -> None:
        """End the provider request (nothing more is read)."""
        self._unread.cancel()
        self._task.cancel()
