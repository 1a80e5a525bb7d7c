"""Canonical <-> Anthropic Messages.

Anthropic is the strictest of the wires: the system prompt is a top-level field, roles must
alternate starting with "user", tool results are `tool_result` blocks at the front of a user turn
right after the assistant's `tool_use`, and thinking blocks are accepted back only with the
signature Anthropic itself produced.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from adapters.anthropic import wire
from adapters.history import drop_foreign_reasoning, prepare_history, safe_tool_id
from adapters.types import (
    ChatRequest,
    FinishReason,
    Image,
    Message,
    Reasoning,
    ReasoningDelta,
    ReasoningSignature,
    StreamEvent,
    Text,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    ToolResult,
    Usage,
)

PROVIDER = "anthropic"
# Anthropic needs the history to open with a user turn; this is the least a model can misread.
CONTINUATION = "(conversation continued)"

Block = dict[str, object]
WireMessage = dict[str, object]


@dataclass(frozen=True, slots=True)
class AnthropicParams:
    """The `system` and `messages` arguments for `messages.create`."""

    system: str
    messages: list[WireMessage]
    tools: list[dict[str, object]]


def to_params(request: ChatRequest, provider: str = PROVIDER) -> AnthropicParams:
    """Translate the canonical history; `provider` is whose reasoning signatures are trusted."""
    prepared = prepare_history(request.messages)
    turns: list[tuple[str, list[Block]]] = []
    for message in prepared.messages:
        role = "assistant" if message.role == "assistant" else "user"
        blocks = _blocks(drop_foreign_reasoning(message, provider))
        if not blocks:
            continue
        if turns and turns[-1][0] == role:
            turns[-1][1].extend(blocks)
        else:
            turns.append((role, blocks))
    if not turns or turns[0][0] != "user":
        turns.insert(0, ("user", [{"type": "text", "text": CONTINUATION}]))
    merged: list[WireMessage] = [
        {"role": role, "content": _order(role, blocks)} for role, blocks in turns
    ]
    tools: list[dict[str, object]] = [
        {"name": t.name, "description": t.description, "input_schema": t.parameters}
        for t in request.tools
    ]
    return AnthropicParams(system=prepared.system, messages=merged, tools=tools)


def _order(role: str, blocks: list[Block]) -> list[Block]:
    # tool_result blocks must lead a user turn; thinking blocks must lead an assistant turn.
    lead = "tool_result" if role == "user" else "thinking"
    return [b for b in blocks if b["type"] == lead] + [b for b in blocks if b["type"] != lead]


def _blocks(message: Message) -> list[Block]:
    blocks: list[Block] = []
    for part in message.parts:
        if isinstance(part, Text):
            if part.text.strip():
                blocks.append({"type": "text", "text": part.text})
        elif isinstance(part, Image):
            if message.role == "assistant":
                blocks.append({"type": "text", "text": "[image]"})
            else:
                blocks.append(
                    {
                        "type": "image",
                        "source": {
                            "type": "base64",
                            "media_type": part.media_type,
                            "data": base64.b64encode(part.data).decode("ascii"),
                        },
                    }
                )
        elif isinstance(part, ToolCall):
            blocks.append(
                {
                    "type": "tool_use",
                    "id": safe_tool_id(part.id),
                    "name": part.name,
                    "input": part.arguments,
                }
            )
        elif isinstance(part, ToolResult):
            blocks.append(
                {
                    "type": "tool_result",
                    "tool_use_id": safe_tool_id(part.call_id),
                    "content": part.content or "(empty)",
                    "is_error": part.is_error,
                }
            )
        elif isinstance(part, Reasoning) and part.signature:
            blocks.append({"type": "thinking", "thinking": part.text, "signature": part.signature})
    return blocks


_FINISH: dict[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}


@dataclass
class EventReader:
    """Turns Anthropic stream events into canonical events."""

    provider: str = PROVIDER
    finish: FinishReason | None = None
    _input: int = 0
    _cached: int = 0
    _tool_index: dict[int, int] = field(default_factory=dict)

    def feed(self, event: wire.Event) -> list[StreamEvent]:
        if event.type == "message_start" and event.message is not None:
            usage = event.message.usage
            self._cached = usage.cache_read_input_tokens or 0
            self._input = (
                usage.input_tokens + self._cached + (usage.cache_creation_input_tokens or 0)
            )
            return []
        if event.type == "content_block_start" and event.content_block is not None:
            return self._block_start(event.content_block, event.index)
        if event.type == "content_block_delta" and event.delta is not None:
            return self._block_delta(event.delta, event.index)
        if event.type == "message_delta":
            if event.delta is not None and event.delta.stop_reason:
                self.finish = _FINISH.get(event.delta.stop_reason, "stop")
            output = event.usage.output_tokens if event.usage is not None else 0
            return [Usage(self._input, output, self._cached)]
        return []

    def _block_start(self, block: wire.Block, at: int | None) -> list[StreamEvent]:
        if block.type == "tool_use" and at is not None:
            index = self._tool_index.setdefault(at, len(self._tool_index))
            return [ToolCallDelta(index=index, id=block.id, name=block.name, arguments_delta="")]
        if block.type == "text" and block.text:
            return [TextDelta(block.text)]
        if block.type == "thinking" and block.thinking:
            return [ReasoningDelta(block.thinking)]
        return []

    def _block_delta(self, delta: wire.Delta, at: int | None) -> list[StreamEvent]:
        if delta.type == "text_delta" and delta.text is not None:
            return [TextDelta(delta.text)]
        if delta.type == "thinking_delta" and delta.thinking is not None:
            return [ReasoningDelta(delta.thinking)]
        if delta.type == "signature_delta" and delta.signature is not None:
            return [ReasoningSignature(delta.signature, self.provider)]
        if delta.type == "input_json_delta" and at in self._tool_index:
            return [
                ToolCallDelta(
                    index=self._tool_index[at],
                    id=None,
                    name=None,
                    arguments_delta=delta.partial_json or "",
                )
            ]
        return []
