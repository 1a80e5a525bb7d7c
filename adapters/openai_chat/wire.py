"""The streamed Chat Completions chunk as it arrives, decoded straight into small structs.

Why not the SDK's `ChatCompletionChunk`: building that pydantic model per chunk (through
`construct_type` and its protocol checks) was a tenth of the app's CPU per streamed request
(py-spy on the chat route; `python -m bench --only profile` shows the `openai` share too).
The SDK still builds and sends the request, applies the key and raises its own status errors
(`client.post`, the body as a stream); only the body's `data:` lines are read here (its bytes,
:mod:`adapters.sse`), with msgspec,
keeping just the fields the reader uses.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Final

import httpx2
import msgspec
import openai

from adapters.sse import sse_events


class FunctionDelta(msgspec.Struct):
    name: str | None = None
    arguments: str | None = None


class ToolCallChunk(msgspec.Struct):
    index: int | None = None
    id: str | None = None
    function: FunctionDelta | None = None


class Delta(msgspec.Struct):
    content: str | None = None
    tool_calls: list[ToolCallChunk] | None = None
    # Groq says `reasoning`, vLLM/DeepSeek-style servers say `reasoning_content`.
    reasoning_content: str | None = None
    reasoning: str | None = None


class Choice(msgspec.Struct):
    delta: Delta = msgspec.field(default_factory=Delta)
    finish_reason: str | None = None


class PromptDetails(msgspec.Struct):
    cached_tokens: int | None = None


class ChunkUsage(msgspec.Struct):
    # Some compatible servers send null counts; the SDK's unvalidated models let them through.
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    prompt_tokens_details: PromptDetails | None = None


class Chunk(msgspec.Struct):
    """One `chat.completion.chunk`; an `error` object instead means the stream failed."""

    choices: list[Choice] | None = None
    usage: ChunkUsage | None = None
    error: Any = None


_DECODER: Final = msgspec.json.Decoder(Chunk)


async def read_chunks(body: AsyncIterator[bytes], request: httpx2.Request) -> AsyncIterator[Chunk]:
    """The chunks of an SSE body until `[DONE]`; an error event raises `openai.APIError`
    as the SDK's own stream does, so the error map treats both alike."""
    events = sse_events(body)
    async for _name, payload in events:
        chunk = _event(payload, request)
        if chunk is None:
            # Read the body to its end, as the SDK's own stream does: a response closed
            # before its last (empty) chunk takes its connection with it, and the next call
            # would connect again.
            async for _ in events:
                pass
            return
        yield chunk


def _event(payload: bytes, request: httpx2.Request) -> Chunk | None:
    if payload == b"[DONE]":
        return None
    chunk = _DECODER.decode(payload)
    if chunk.error:
        raise _stream_error(chunk.error, request)
    return chunk


def _stream_error(error: Any, request: httpx2.Request) -> openai.APIError:
    message = error.get("message") if isinstance(error, dict) else None
    if not isinstance(message, str) or not message:
        message = "An error occurred during streaming"
    return openai.APIError(message=message, request=request, body=error)
