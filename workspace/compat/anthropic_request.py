"""An Anthropic ``/v1/messages`` body, and its translation to a canonical :class:`Ask`.

``system`` becomes the first message; text, base64 images, ``tool_use`` and ``tool_result``
blocks become text, images, tool calls and tool results (a result travels in a ``tool`` message
of its own, named after its call). Thinking blocks from earlier turns are the producing
provider's, and left out. Server tools, URL images and stop sequences are refused with
``unsupported_parameter``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Literal

import msgspec

from adapters import Image, Message, Part, Text, ToolCall, ToolResult, ToolSpec
from workspace.compat.exchange import Ask
from workspace.compat.openai_request import UnsupportedParameter

_SKIPPED = frozenset({"thinking", "redacted_thinking"})


class ImageSource(msgspec.Struct):
    type: str
    media_type: str | None = None
    data: str | None = None


class Block(msgspec.Struct):
    type: str
    text: str | None = None
    source: ImageSource | None = None
    id: str | None = None
    name: str | None = None
    input: dict[str, object] | None = None
    tool_use_id: str | None = None
    content: str | list[Block] | None = None
    is_error: bool = False


class MessageIn(msgspec.Struct):
    role: Literal["user", "assistant"]
    content: str | list[Block]


class ToolDef(msgspec.Struct):
    name: str
    description: str = ""
    input_schema: dict[str, object] | None = None
    type: str | None = None


class MessagesIn(msgspec.Struct):
    model: str
    max_tokens: int
    messages: list[MessageIn]
    system: str | list[Block] | None = None
    temperature: float | None = None
    top_p: float | None = None
    tools: list[ToolDef] | None = None
    stream: bool = False
    stop_sequences: list[str] | None = None


def _refuse(param: str, why: str) -> UnsupportedParameter:
    return UnsupportedParameter(why, extra={"field": param})


def _image(block: Block, at: str) -> Image:
    source = block.source
    if source is None or source.type != "base64" or not source.media_type or not source.data:
        raise _refuse(at, "Images are sent inline: a base64 source with its media_type.")
    try:
        return Image(source.media_type, base64.b64decode(source.data, validate=True))
    except (binascii.Error, ValueError):
        raise _refuse(at, "The image's base64 data cannot be decoded.") from None


def _text_of(content: str | list[Block] | None) -> str:
    if content is None or isinstance(content, str):
        return content or ""
    return "".join(b.text or "" for b in content if b.type == "text")


def _messages(m: MessageIn, at: str, names: dict[str, str]) -> list[Message]:
    """One Anthropic message; a user message's tool results come first, as ``tool`` messages."""
    if isinstance(m.content, str):
        return [Message(m.role, (Text(m.content),))]
    results: list[Message] = []
    parts: list[Part] = []
    for i, block in enumerate(m.content):
        where = f"{at}.content.{i}"
        if block.type == "text":
            parts.append(Text(block.text or ""))
        elif block.type == "image":
            parts.append(_image(block, where))
        elif block.type == "tool_use" and block.id and block.name:
            names[block.id] = block.name
            parts.append(ToolCall(block.id, block.name, dict(block.input or {})))
        elif block.type == "tool_result" and block.tool_use_id:
            call_id = block.tool_use_id
            content = _text_of(block.content)
            result = ToolResult(call_id, names.get(call_id, ""), content, block.is_error)
            results.append(Message("tool", (result,)))
        elif block.type not in _SKIPPED:
            raise _refuse(where, f"Content blocks of type '{block.type}' are not taken.")
    return [*results, Message(m.role, tuple(parts))] if parts else results


def _tool(tool: ToolDef, at: str) -> ToolSpec:
    if tool.type not in (None, "custom") or tool.input_schema is None:
        raise _refuse(at, "Only custom tools (name, description, input_schema) are passed on.")
    return ToolSpec(tool.name, tool.description, tool.input_schema)


def to_ask(body: MessagesIn) -> Ask:
    """The canonical request; refuses what the gateway cannot send on."""
    if body.stop_sequences:
        raise _refuse("stop_sequences", "Stop sequences are not passed on; leave them out.")
    names: dict[str, str] = {}
    messages: list[Message] = []
    if system := _text_of(body.system):
        messages.append(Message("system", (Text(system),)))
    for i, m in enumerate(body.messages):
        messages.extend(_messages(m, f"messages.{i}", names))
    tools = tuple(_tool(t, f"tools.{i}") for i, t in enumerate(body.tools or ()))
    return Ask(
        model_ref=body.model,
        messages=tuple(messages),
        tools=tools,
        max_output_tokens=body.max_tokens,
        temperature=body.temperature,
        top_p=body.top_p,
    )
