"""The streaming driver shared by every wire: pacing, fault injection and disconnect tracking.

Wire modules only decide *what* frames to send; this module decides *when*: the first content
frame waits ``ttft_ms``, later ones ``interval_ms`` (``asyncio.sleep``, so other requests keep
flowing), ``malformed`` slips a broken ``data:`` line in half-way, and ``disconnect`` makes the
server drop the connection half-way. Each frame is its own ASGI body message, so nothing is
buffered. If the *client* goes away first, the log entry is marked ``disconnected``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Final

from litestar import Response
from litestar.background_tasks import BackgroundTask
from litestar.response import Stream

from adapters.simulator.state import LoggedRequest, Scenario

SSE_HEADERS: Final = {"cache-control": "no-cache", "x-accel-buffering": "no"}


class SimulatedDisconnect(Exception):
    """Raised inside a stream to make the server drop the connection (``disconnect`` scenario).

    An exception after the response started is the only way an ASGI app can abort a connection;
    :mod:`adapters.simulator.server` filters it out of the logs because it is intended.
    """


@dataclass(frozen=True, slots=True)
class Frame:
    """One SSE event (already encoded); ``content`` frames carry tokens and get paced."""

    data: bytes
    content: bool = False


def sse(data: bytes, event: str | None = None) -> bytes:
    """Encode one server-sent event."""
    if event is None:
        return b"data: " + data + b"\n\n"
    return b"event: " + event.encode() + b"\ndata: " + data + b"\n\n"


def _group(frames: list[Frame]) -> list[Frame]:
    """Join runs of framing events into one write; every content frame stays its own write."""
    grouped: list[Frame] = []
    pending = b""
    for frame in frames:
        if frame.content:
            if pending:
                grouped.append(Frame(pending))
                pending = b""
            grouped.append(frame)
        else:
            pending += frame.data
    if pending:
        grouped.append(Frame(pending))
    return grouped


def stream_response(
    frames: list[Frame],
    scenario: Scenario,
    entry: LoggedRequest,
    *,
    malformed: bytes,
    headers: dict[str, str],
    media_type: str = "text/event-stream",
) -> Response[Any]:
    """A streamed response that paces, injects faults and records how the stream ended."""
    sends = _group(frames)
    content_total = sum(1 for f in sends if f.content)
    cut = max(1, content_total // 2)
    ttft = scenario.ttft_ms / 1000
    interval = scenario.interval_ms / 1000
    error = scenario.error

    async def body() -> AsyncIterator[bytes]:
        seen = 0
        for frame in sends:
            if frame.content:
                if seen == 0:
                    if ttft:
                        await asyncio.sleep(ttft)
                elif interval:
                    await asyncio.sleep(interval)
                if seen == cut:
                    if error == "malformed":
                        yield malformed
                    elif error == "disconnect":
                        entry.aborted = True
                        raise SimulatedDisconnect
                seen += 1
            yield frame.data
        entry.completed = True

    async def finished() -> None:
        if not entry.completed and not entry.aborted:
            entry.disconnected = True

    entry.status = 200
    return Stream(
        body(),
        media_type=media_type,
        headers={**SSE_HEADERS, **headers},
        background=BackgroundTask(finished),
    )


async def plain_response(
    payload: bytes, scenario: Scenario, entry: LoggedRequest, headers: dict[str, str]
) -> Response[Any]:
    """A non-streamed JSON answer, after the time the whole generation would have taken."""
    delay = (scenario.ttft_ms + scenario.interval_ms * max(0, scenario.chunks - 1)) / 1000
    if delay:
        await asyncio.sleep(delay)
    entry.status = 200
    if scenario.error == "malformed":
        entry.completed = True
        return Response(
            content=payload[: len(payload) // 2], media_type="application/json", headers=headers
        )
    if scenario.error == "disconnect":
        return stream_response(
            [Frame(payload[: len(payload) // 2], True), Frame(payload[len(payload) // 2 :], True)],
            Scenario(error="disconnect"),
            entry,
            malformed=b"",
            headers=headers,
            media_type="application/json",
        )
    entry.completed = True
    return Response(content=payload, media_type="application/json", headers=headers)
