"""What an answer said, gathered from its stream: for a whole (non-streamed) response, the
recorded answer's tool calls, and an idempotent retry's replay."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from adapters import (
    ErrorEvent,
    Finish,
    FinishReason,
    ProviderError,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    Usage,
)


@dataclass
class ToolCallSoFar:
    """A tool call assembled from its deltas."""

    id: str = ""
    name: str = ""
    arguments: str = ""

    def parsed_arguments(self) -> dict[str, object]:
        try:
            value = json.loads(self.arguments or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


@dataclass
class Collected:
    """Everything the answer said, for a non-streamed response."""

    text: str = ""
    tool_calls: dict[int, ToolCallSoFar] = field(default_factory=dict)
    usage: Usage | None = None
    finish: FinishReason | None = None
    error: ProviderError | None = None

    def add(self, event: StreamEvent) -> None:
        if isinstance(event, TextDelta):
            self.text += event.text
        elif isinstance(event, ToolCallDelta):
            call = self.tool_calls.setdefault(event.index, ToolCallSoFar())
            call.id = event.id or call.id
            call.name = event.name or call.name
            call.arguments += event.arguments_delta
        elif isinstance(event, Usage):
            self.usage = event
        elif isinstance(event, Finish):
            self.finish = event.reason
        elif isinstance(event, ErrorEvent):
            self.error = event.error

    def tool_call_parts(self) -> tuple[ToolCall, ...]:
        """The tools the answer called, as canonical parts, in their order."""
        return tuple(
            ToolCall(call.id, call.name, call.parsed_arguments())
            for _, call in sorted(self.tool_calls.items())
        )

    def events(self) -> list[StreamEvent]:
        """The answer again as a stream: its text in one piece, each tool call whole."""
        events: list[StreamEvent] = [TextDelta(self.text)] if self.text else []
        for index, call in sorted(self.tool_calls.items()):
            events.append(ToolCallDelta(index, call.id, call.name, call.arguments))
        if self.error is not None:
            events.append(ErrorEvent(self.error))
        if self.usage is not None:
            events.append(self.usage)
        events.append(Finish(self.finish or ("error" if self.error else "stop")))
        return events
