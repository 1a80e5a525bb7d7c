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
    """One provider stream, running ahead of its reader."""

    def __init__(self, stream: AsyncIterator[StreamEvent], unread_s: float) -> None:
        self.started = time.monotonic()
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._task = asyncio.create_task(self._pump(stream), name="provider-prefetch")
        self._unread = asyncio.get_running_loop().call_later(unread_s, self.cancel)

    async def _pump(self, stream: AsyncIterator[StreamEvent]) -> None:
        try:
            async with aclosing(stream):  # type: ignore[type-var]
                async for event in stream:
                    self._queue.put_nowait(event)
        except Exception as exc:  # the reader raises it where the stream would have
            self._queue.put_nowait(exc)
        finally:
            self._queue.put_nowait(_END)

    async def events(self) -> AsyncIterator[StreamEvent]:
        """The stream's events, as if read from it directly; read it once."""
        self._unread.cancel()
        try:
            while (item := await self._queue.get()) is not _END:
                if isinstance(item, Exception):
                    raise item
                yield item  # type: ignore[misc]
        finally:
            self.cancel()

    def cancel(self) -> None:
        """End the provider request (nothing more is read)."""
        self._unread.cancel()
        self._task.cancel()
