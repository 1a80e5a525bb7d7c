"""Canonical events as OpenAI ``chat.completion`` objects and ``chat.completion.chunk`` frames.

The model is named as the client asked for it (``provider/model``). A provider error in the
middle of a stream is one ``data: {"error": ...}`` frame (OpenAI's SDKs raise it as an
``APIError``), then ``[DONE]``.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from adapters import ErrorEvent, Finish, StreamEvent, TextDelta, ToolCallDelta, Usage
from workspace.compat.collected import Collected
from workspace.compat.errors import openai_error
from workspace.http.streams import Last, coalesce

_FINISH = {"stop": "stop", "length": "length", "tool_calls": "tool_calls"}
_FINISH |= {"content_filter": "content_filter", "cancelled": "stop"}


def _usage(usage: Usage | None) -> dict[str, object] | None:
    if usage is None:
        return None
    return {
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": usage.output_tokens,
        "total_tokens": usage.input_tokens + usage.output_tokens,
        "prompt_tokens_details": {"cached_tokens": usage.cached_tokens},
    }


@dataclass
class Completion:
    """One response's identity: its id, creation time and the model as the client named it."""

    model: str
    id: str = field(default_factory=lambda: f"chatcmpl-{uuid.uuid4().hex}")
    created: int = field(default_factory=lambda: int(time.time()))

    def whole(self, answer: Collected) -> dict[str, object]:
        """The non-streamed ``chat.completion``."""
        message: dict[str, object] = {"role": "assistant", "content": answer.text or None}
        if answer.tool_calls:
            message["tool_calls"] = [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments or "{}"},
                }
                for _, call in sorted(answer.tool_calls.items())
            ]
        finish = _FINISH.get(answer.finish or "stop", "stop")
        return {
            **self._head("chat.completion"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": _usage(answer.usage),
        }

    def _head(self, kind: str) -> dict[str, object]:
        return {"id": self.id, "object": kind, "created": self.created, "model": self.model}

    def chunk(self, delta: dict[str, object], finish: str | None = None) -> dict[str, object]:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return {**self._head("chat.completion.chunk"), "choices": [choice]}

    def usage_chunk(self, usage: Usage | None) -> dict[str, object]:
        return {**self._head("chat.completion.chunk"), "choices": [], "usage": _usage(usage)}


def _frame(payload: dict[str, object] | str) -> bytes:
    data = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))
    return f"data: {data}\n\n".encode()


def _tool_delta(event: ToolCallDelta) -> dict[str, object]:
    call: dict[str, object] = {"index": event.index, "type": "function"}
    function: dict[str, object] = {"arguments": event.arguments_delta}
    if event.id:
        call["id"] = event.id
    if event.name:
        function["name"] = event.name
    call["function"] = function
    return {"tool_calls": [call]}


def _frames_of(completion: Completion, event: StreamEvent) -> list[bytes]:
    if isinstance(event, TextDelta):
        return [_frame(completion.chunk({"content": event.text}))]
    if isinstance(event, ToolCallDelta):
        return [_frame(completion.chunk(_tool_delta(event)))]
    if isinstance(event, Finish) and event.reason != "error":
        return [_frame(completion.chunk({}, _FINISH.get(event.reason, "stop")))]
    if isinstance(event, ErrorEvent):
        return [_frame(openai_error(event.error.code, event.error.message))]
    return []


def sse(
    completion: Completion,
    events: AsyncIterator[StreamEvent],
    include_usage: bool,
    buffered: Callable[[], bool],
) -> AsyncIterator[bytes]:
    """The ``text/event-stream`` body: a role chunk, the deltas, the finish, usage, ``[DONE]``;
    what arrived together goes out together (``buffered``: :func:`coalesce`)."""
    return coalesce(_frame_groups(completion, events, include_usage), buffered)


async def _frame_groups(
    completion: Completion, events: AsyncIterator[StreamEvent], include_usage: bool
) -> AsyncIterator[list[bytes] | Last]:
    # The role chunk goes with the first event's frames: one write, not one before it.
    head = [_frame(completion.chunk({"role": "assistant", "content": ""}))]
    usage: Usage | None = None
    async for event in events:
        if isinstance(event, Usage):
            usage = event
        yield [*head, *_frames_of(completion, event)]
        head = []
    if include_usage:
        head.append(_frame(completion.usage_chunk(usage)))
    yield Last(b"".join([*head, _frame("[DONE]")]))
