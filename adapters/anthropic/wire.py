"""The Messages API's streamed events as they arrive, decoded straight into small structs.

Why not the SDK's stream: it builds a pydantic event model per event (``construct_type``) after
its own SSE decoder, through a chain of async generators over a copy of the stream object; read
here, a streamed call costs about a quarter less CPU through the adapter (2.1 -> 1.5 ms for a
10-event answer), as it did for OpenAI (:mod:`adapters.openai_chat.wire`). The SDK still builds
and sends the request, applies the key and raises its status errors (``client.post``, the body
as a stream); only the body's lines are read here (its bytes, :mod:`adapters.sse`), with
msgspec, keeping the fields :class:`~adapters.anthropic.translate.EventReader` uses.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Final

import anthropic
import httpx2
import msgspec

from adapters.sse import sse_events


class Block(msgspec.Struct):
    """``content_block_start``'s block: text, thinking or a tool call."""

    type: str
    text: str | None = None
    thinking: str | None = None
    id: str | None = None
    name: str | None = None


class Delta(msgspec.Struct):
    """A block's delta (``type`` says which), or the message's (``stop_reason``)."""

    type: str | None = None
    text: str | None = None
    thinking: str | None = None
    signature: str | None = None
    partial_json: str | None = None
    stop_reason: str | None = None


class StartUsage(msgspec.Struct):
    input_tokens: int = 0
    cache_read_input_tokens: int | None = None
    cache_creation_input_tokens: int | None = None


class StartMessage(msgspec.Struct):
    usage: StartUsage = msgspec.field(default_factory=StartUsage)


class DeltaUsage(msgspec.Struct):
    output_tokens: int = 0


class Event(msgspec.Struct):
    """One streamed event; which fields it has depends on its ``type``."""

    type: str
    index: int | None = None
    message: StartMessage | None = None
    content_block: Block | None = None
    delta: Delta | None = None
    usage: DeltaUsage | None = None


_DECODER: Final = msgspec.json.Decoder(Event)


async def read_events(
    body: AsyncIterator[bytes], response: httpx2.Response
) -> AsyncIterator[Event]:
    """The events of an SSE body, to its end (``ping`` skipped); an ``error`` event raises
    ``anthropic.APIStatusError`` as the SDK's own stream does, so the error map treats both
    alike."""
    async for name, payload in sse_events(body):
        if (event := _event(name, payload, response)) is not None:
            yield event


def _event(name: str | None, payload: bytes, response: httpx2.Response) -> Event | None:
    if name is None or name == "ping" or not payload:
        return None
    if name == "error":
        raise _stream_error(payload, response)
    return _DECODER.decode(payload)


def _stream_error(payload: bytes, response: httpx2.Response) -> anthropic.APIStatusError:
    body: Any
    try:
        body = msgspec.json.decode(payload)
    except msgspec.DecodeError:
        body = payload.decode("utf-8", "replace")
    return anthropic.APIStatusError(str(body), response=response, body=body)
