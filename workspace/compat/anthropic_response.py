"""Canonical events as an Anthropic ``message`` and its stream of typed server-sent events.

The stream is ``message_start``, then per content block ``content_block_start``, its deltas
(``text_delta`` or ``input_json_delta``) and ``content_block_stop``, then ``message_delta``
(stop reason, usage) and ``message_stop``. A provider error mid-stream is an ``error`` event,
which Anthropic's SDKs raise.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from adapters import ErrorEvent, Finish, StreamEvent, TextDelta, ToolCallDelta, Usage
from workspace.compat.collected import Collected
from workspace.compat.errors import anthropic_error
from workspace.http.streams import Last, coalesce

_STOP = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"}
_STOP |= {"content_filter": "refusal", "cancelled": "end_turn"}


def _usage(usage: Usage | None) -> dict[str, int]:
    if usage is None:
        return {"input_tokens": 0, "output_tokens": 0}
    return {
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "cache_read_input_tokens": usage.cached_tokens,
    }


def _frame(kind: str, payload: dict[str, object]) -> bytes:
    data = json.dumps({"type": kind, **payload}, separators=(",", ":"))
    return f"event: {kind}\ndata: {data}\n\n".encode()


@dataclass
class Reply:
    """One response's identity and, while streaming, which content block is open."""

    model: str
    id: str = field(default_factory=lambda: f"msg_{uuid.uuid4().hex}")
    _open: tuple[str, int] | None = None  # ("text", 0) or ("tool", tool call index)
    _blocks: int = 0

    def whole(self, answer: Collected) -> dict[str, object]:
        """The non-streamed ``message``."""
        content: list[dict[str, object]] = []
        if answer.text:
            content.append({"type": "text", "text": answer.text})
        for _, call in sorted(answer.tool_calls.items()):
            tool_use = {"type": "tool_use", "id": call.id, "name": call.name}
            content.append({**tool_use, "input": call.parsed_arguments()})
        stop = _STOP.get(answer.finish or "stop", "end_turn")
        return {**self._message(content), "stop_reason": stop, "usage": _usage(answer.usage)}

    def _message(self, content: list[dict[str, object]]) -> dict[str, object]:
        return {
            "id": self.id,
            "type": "message",
            "role": "assistant",
            "model": self.model,
            "content": content,
            "stop_reason": None,
            "stop_sequence": None,
            "usage": _usage(None),
        }

    def start(self) -> bytes:
        return _frame("message_start", {"message": self._message([])})

    def _close(self) -> list[bytes]:
        if self._open is None:
            return []
        self._open = None
        self._blocks += 1
        return [_frame("content_block_stop", {"index": self._blocks - 1})]

    def _ensure(self, kind: str, key: int, block: dict[str, object]) -> list[bytes]:
        if self._open == (kind, key):
            return []
        frames = self._close()
        self._open = (kind, key)
        start = {"index": self._blocks, "content_block": block}
        return [*frames, _frame("content_block_start", start)]

    def frames(self, event: StreamEvent, usage: Usage | None) -> list[bytes]:
        if isinstance(event, TextDelta):
            frames = self._ensure("text", 0, {"type": "text", "text": ""})
            delta = {"type": "text_delta", "text": event.text}
            return [*frames, _frame("content_block_delta", {"index": self._blocks, "delta": delta})]
        if isinstance(event, ToolCallDelta):
            block = {"type": "tool_use", "id": event.id or "", "name": event.name or ""}
            frames = self._ensure("tool", event.index, {**block, "input": {}})
            delta = {"type": "input_json_delta", "partial_json": event.arguments_delta}
            return [*frames, _frame("content_block_delta", {"index": self._blocks, "delta": delta})]
        if isinstance(event, ErrorEvent):
            error = anthropic_error(event.error.code, event.error.message)
            return [*self._close(), _frame("error", {"error": error["error"]})]
        if isinstance(event, Finish) and event.reason != "error":
            end = {"stop_reason": _STOP.get(event.reason, "end_turn"), "stop_sequence": None}
            return [
                *self._close(),
                _frame("message_delta", {"delta": end, "usage": _usage(usage)}),
                _frame("message_stop", {}),
            ]
        return []


def sse(
    reply: Reply, events: AsyncIterator[StreamEvent], buffered: Callable[[], bool]
) -> AsyncIterator[bytes]:
    """The ``text/event-stream`` body; what arrived together goes out together
    (``buffered``: :func:`coalesce`)."""
    return coalesce(_frame_groups(reply, events), buffered)


async def _frame_groups(
    reply: Reply, events: AsyncIterator[StreamEvent]
) -> AsyncIterator[list[bytes] | Last]:
    head = [reply.start()]  # with the first event's frames: one write
    usage: Usage | None = None
    async for event in events:
        if isinstance(event, Usage):
            usage = event
        yield [*head, *reply.frames(event, usage)]
        head = []
    yield Last(b"".join(head))
