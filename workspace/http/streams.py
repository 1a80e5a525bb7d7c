"""Streamed response bodies that end in the same write as their last chunk, and frames that
came together sent together.

Every write to a socket is a system call, and on a loopback or a virtual NIC the call is most of
a small chunk's cost: Litestar's :class:`~litestar.response.Stream` ends every body with a write
of its own (the empty chunk that closes chunked encoding), and a generator that yields each SSE
frame alone writes a provider's eight chunks, read from one packet, eight times. A generator
here marks its last chunk :class:`Last` (uvicorn then writes it and the body's end at once), and
:func:`coalesce` holds frames back while the next event is already buffered.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from anyio import CancelScope
from litestar.response import Stream
from litestar.response.base import ASGIResponse
from litestar.response.streaming import ASGIStreamingResponse
from litestar.types import HTTPResponseBodyEvent, Receive, Send


class Last(bytes):
    """The body's last chunk: sent with ``more_body: false``, so the end goes in its write.

    The generator that yields it is still read to its end, shielded from the cancellation
    that a complete response brings (nothing else may be yielded)."""

    __slots__ = ()


async def _cancel_when_gone(receive: Receive, scope: CancelScope) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    scope.cancel()


class _EndingStreamingResponse(ASGIStreamingResponse):
    __slots__ = ()

    async def send_body(self, send: Send, receive: Receive) -> None:
        """Stream the body in this task while a small one waits for the client to go away,
        which cancels the body (and, through it, the provider requests).

        Litestar's own puts the body in an anyio task group: a group, a task handle and a
        second task for every stream, on the path to every first byte and held by every open
        stream. One cancel scope and one listener task do the same job."""
        with CancelScope() as scope:
            listener = asyncio.create_task(_cancel_when_gone(receive, scope))
            try:
                await self._stream(send)
            finally:
                listener.cancel()

    async def _stream(self, send: Send) -> None:
        async for chunk in self.iterator:
            last = isinstance(chunk, Last)
            event: HTTPResponseBodyEvent = {
                "type": "http.response.body",
                "body": chunk if isinstance(chunk, bytes) else chunk.encode(self.encoding),
                "more_body": not last,
            }
            await send(event)
            if last:
                # The response is complete, so the server reports the client gone and Litestar
                # cancels this task: what the body does after its last chunk (its `finally`,
                # the request's bookkeeping) runs shielded from that, to its end.
                with CancelScope(shield=True):
                    async for _ in self.iterator:
                        pass
                return
        await send({"type": "http.response.body", "body": b"", "more_body": False})


class EndingStream(Stream):
    """A :class:`~litestar.response.Stream` whose :class:`Last` chunk ends the body."""

    def to_asgi_response(self, *args: Any, **kwargs: Any) -> ASGIResponse:
        response = super().to_asgi_response(*args, **kwargs)
        # Litestar builds the response; only how it sends the body differs (same slots).
        response.__class__ = _EndingStreamingResponse
        return response


async def coalesce(
    groups: AsyncIterator[Sequence[bytes] | Last], buffered: Callable[[], bool]
) -> AsyncIterator[bytes]:
    """Each event's frames (a group), written at once with those of every event already
    buffered (``buffered()`` says whether the next one is). The groups end with the closing
    frames as one :class:`Last`, which ends the body in the same write.

    Nothing waits for an event that has not arrived: a provider streaming word by word still
    gets a write per word."""
    pending: list[bytes] = []
    try:
        async for group in groups:
            if isinstance(group, Last):
                yield Last(b"".join([*pending, group]))
                return
            pending += group
            if pending and not buffered():
                yield b"".join(pending)
                pending = []
    except Exception:
        if pending:  # what arrived before the failure still goes out
            yield b"".join(pending)
        raise
    if pending:
        yield b"".join(pending)
