"""Canonical <-> OpenAI Chat Completions (also Groq and OpenAI-compatible servers).

Reasoning is never sent (OpenAI rejects or ignores foreign thinking); images travel as data
URLs; tool calls as `tool_calls` on the assistant turn with one role "tool" message per result.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from adapters.history import prepare_history, safe_tool_id
from adapters.openai_chat.wire import Chunk
from adapters.types import (
    ChatRequest,
    FinishReason,
    Image,
    Message,
    ReasoningDelta,
    StreamEvent,
    Text,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    ToolResult,
    Usage,
)

WireMessage = dict[str, object]


def to_messages(request: ChatRequest) -> list[WireMessage]:
    """The `messages` array for `chat.completions.create`."""
    prepared = prepare_history(request.messages)
    wire: list[WireMessage] = []
    if prepared.system:
        wire.append({"role": "system", "content": prepared.system})
    for message in prepared.messages:
        wire.extend(_message(message))
    return wire


def to_tools(request: ChatRequest) -> list[dict[str, object]]:
    """The `tools` array (function tools)."""
    return [
        {
            "type": "function",
            "function": {
                "name": tool.name,
                "description": tool.description,
                "parameters": tool.parameters,
            },
        }
        for tool in request.tools
    ]


def _message(message: Message) -> list[WireMessage]:
    if message.role == "tool":
        return [
            {
                "role": "tool",
                "tool_call_id": safe_tool_id(p.call_id),
                "content": ("Error: " if p.is_error else "") + p.content,
            }
            for p in message.parts
            if isinstance(p, ToolResult)
        ]
    if message.role == "assistant":
        text = "".join(p.text for p in message.parts if isinstance(p, Text))
        if any(isinstance(p, Image) for p in message.parts):
            text += "[image]"
        calls = [p for p in message.parts if isinstance(p, ToolCall)]
        out: WireMessage = {"role": "assistant", "content": text or None}
        if calls:
            out["tool_calls"] = [
                {
                    "id": safe_tool_id(c.id),
                    "type": "function",
                    "function": {"name": c.name, "arguments": json.dumps(c.arguments)},
                }
                for c in calls
            ]
        elif not text:
            return []
        return [out]
    content: list[dict[str, object]] = []
    for part in message.parts:
        if isinstance(part, Text) and part.text:
            content.append({"type": "text", "text": part.text})
        elif isinstance(part, Image):
            b64 = base64.b64encode(part.data).decode("ascii")
            content.append(
                {"type": "image_url", "image_url": {"url": f"data:{part.media_type};base64,{b64}"}}
            )
    if not content:
        return []
    if all(c["type"] == "text" for c in content):
        return [{"role": "user", "content": "".join(str(c["text"]) for c in content)}]
    return [{"role": "user", "content": content}]


_FINISH: dict[str, FinishReason] = {
    "stop": "stop",
    "length": "length",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "content_filter": "content_filter",
}


@dataclass
class ChunkReader:
    """Turns a stream of chunks into canonical events, keeping what spans chunks."""

    finish: FinishReason | None = None
    usage: Usage | None = None

    def feed(self, chunk: Chunk) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        for choice in (chunk.choices or [])[:1]:
            delta = choice.delta
            reasoning = delta.reasoning_content or delta.reasoning
            if reasoning:
                events.append(ReasoningDelta(reasoning))
            if delta.content:
                events.append(TextDelta(delta.content))
            for call in delta.tool_calls or []:
                fn = call.function
                events.append(
                    ToolCallDelta(
                        index=call.index or 0,
                        id=call.id,
                        name=fn.name if fn else None,
                        arguments_delta=(fn.arguments or "") if fn else "",
                    )
                )
            if choice.finish_reason:
                self.finish = _FINISH.get(choice.finish_reason, "stop")
        if chunk.usage is not None:
            details = chunk.usage.prompt_tokens_details
            self.usage = Usage(
                input_tokens=chunk.usage.prompt_tokens or 0,
                output_tokens=chunk.usage.completion_tokens or 0,
                cached_tokens=(details.cached_tokens or 0) if details else 0,
            )
            events.append(self.usage)
        return events
