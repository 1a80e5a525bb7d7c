"""Streamed bodies: what came together is written together, and the last chunk ends the body."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest

from workspace.http.streams import Last, _EndingStreamingResponse, coalesce


async def _groups(*groups: Sequence[bytes] | Last) -> AsyncIterator[Sequence[bytes] | Last]:
    for group in groups:
        yield group


async def _read(chunks: AsyncIterator[bytes]) -> list[bytes]:
    return [chunk async for chunk in chunks]


async def test_frames_already_buffered_go_out_with_the_end_in_one_chunk() -> None:
    out = await _read(coalesce(_groups([b"a", b"b"], [b"c"], Last(b"d")), lambda: True))
    assert out == [b"abcd"]
    assert isinstance(out[0], Last)


async def test_a_frame_whose_next_event_has_not_arrived_goes_out_at_once() -> None:
    out = await _read(coalesce(_groups([b"a"], [], [b"b"], Last(b"")), lambda: False))
    assert out == [b"a", b"b", b""]
    assert [isinstance(chunk, Last) for chunk in out] == [False, False, True]


async def test_frames_held_for_the_next_event_still_go_out_when_the_stream_fails() -> None:
    async def failing() -> AsyncIterator[Sequence[bytes] | Last]:
        yield [b"a"]
        raise RuntimeError("provider gone")

    chunks = coalesce(failing(), lambda: True)
    assert await chunks.__anext__() == b"a"
    with pytest.raises(RuntimeError):
        await chunks.__anext__()


async def test_the_last_chunk_ends_the_body_in_its_own_message_and_the_body_runs_to_its_end() -> (
    None
):
    finished = asyncio.Event()

    async def body() -> AsyncIterator[bytes]:
        try:
            yield b"event: delta\r\n\r\n"
            yield Last(b"event: message.end\r\n\r\n")
        finally:
            await asyncio.sleep(0)  # bookkeeping after the last chunk still runs
            finished.set()

    sent: list[dict[str, Any]] = []
    complete = asyncio.Event()

    async def send(message: Any) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and not message["more_body"]:
            complete.set()

    async def receive() -> Any:
        await complete.wait()
        return {"type": "http.disconnect"}

    response = _EndingStreamingResponse(iterator=body(), media_type="text/event-stream")
    await response({"type": "http", "method": "GET"}, receive, send)  # type: ignore[arg-type]
    bodies = [(m["body"], m["more_body"]) for m in sent if m["type"] == "http.response.body"]
    assert bodies == [(b"event: delta\r\n\r\n", True), (b"event: message.end\r\n\r\n", False)]
    assert finished.is_set()


async def test_a_client_gone_mid_stream_cancels_the_body_and_the_response_ends_quietly() -> None:
    closed = asyncio.Event()
    first_sent = asyncio.Event()

    async def body() -> AsyncIterator[bytes]:
        try:
            yield b"event: delta\r\n\r\n"
            await asyncio.Event().wait()  # a provider that never says more
            yield b"never"
        finally:
            closed.set()

    async def send(message: Any) -> None:
        if message["type"] == "http.response.body":
            first_sent.set()

    async def receive() -> Any:
        await first_sent.wait()
        return {"type": "http.disconnect"}

    response = _EndingStreamingResponse(iterator=body(), media_type="text/event-stream")
    await asyncio.wait_for(
        response({"type": "http", "method": "GET"}, receive, send),  # type: ignore[arg-type]
        timeout=5,
    )
    assert closed.is_set()


async def test_a_complete_stream_leaves_no_listener_behind() -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b"event: delta\r\n\r\n"

    async def send(message: Any) -> None:
        pass

    async def receive() -> Any:
        await asyncio.Event().wait()  # the client stays (as long as this test runs)
        return {"type": "http.disconnect"}

    before = asyncio.all_tasks()
    response = _EndingStreamingResponse(iterator=body(), media_type="text/event-stream")
    await response({"type": "http", "method": "GET"}, receive, send)  # type: ignore[arg-type]
    await asyncio.sleep(0)
    assert asyncio.all_tasks() == before
