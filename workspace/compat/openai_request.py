"""An OpenAI ``/v1/chat/completions`` body, and its translation to a canonical :class:`Ask`.

System and developer messages become system messages; user content parts are text or images
(``data:`` URLs only: the server fetches no URL a client names); assistant ``tool_calls`` and
``tool`` messages become tool calls and tool results, each result named after its call.
Unknown fields are ignored, as OpenAI's own clients add new ones; what the gateway cannot honour
(``n`` above 1, ``stop``) is refused with ``unsupported_parameter``.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Literal

import msgspec

from adapters import Image, Message, Part, Text, ToolCall, ToolResult, ToolSpec
from workspace.compat.exchange import Ask
from workspace.errors import InvalidInput


class UnsupportedParameter(InvalidInput):
    code = "unsupported_parameter"


class ImageUrl(msgspec.Struct):
    url: str
    detail: str | None = None


class ContentPart(msgspec.Struct):
    type: str
    text: str | None = None
    image_url: ImageUrl | None = None


class FunctionCall(msgspec.Struct):
    name: str
    arguments: str = "{}"


class AssistantToolCall(msgspec.Struct):
    id: str
    function: FunctionCall
    type: str = "function"


class ChatMessageIn(msgspec.Struct):
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[ContentPart] | None = None
    tool_calls: list[AssistantToolCall] | None = None
    tool_call_id: str | None = None
    name: str | None = None


class FunctionDef(msgspec.Struct):
    name: str
    description: str = ""
    parameters: dict[str, object] = msgspec.field(default_factory=dict)


class ToolIn(msgspec.Struct):
    function: FunctionDef
    type: str = "function"


class StreamOptions(msgspec.Struct):
    include_usage: bool = False


class ChatCompletionIn(msgspec.Struct):
    model: str
    messages: list[ChatMessageIn]
    stream: bool = False
    stream_options: StreamOptions | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    tools: list[ToolIn] | None = None
    user: str | None = None
    n: int | None = None
    stop: str | list[str] | None = None

    def include_usage(self) -> bool:
        return bool(self.stream_options and self.stream_options.include_usage)


def _refuse(param: str, why: str) -> UnsupportedParameter:
    return UnsupportedParameter(why, extra={"field": param})


def image_from_data_url(url: str, param: str) -> Image:
    """``data:image/png;base64,...`` as canonical image bytes."""
    head, comma, payload = url.partition(",")
    if not url.startswith("data:") or not comma or not head.endswith(";base64"):
        raise _refuse(param, "Images are sent inline, as data:<type>;base64,<bytes> URLs.")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise _refuse(param, "The image's base64 data cannot be decoded.") from None
    return Image(head[len("data:") : -len(";base64")], data)


def _parts(content: str | list[ContentPart] | None, at: str) -> tuple[Part, ...]:
    if content is None:
        return ()
    if isinstance(content, str):
        return (Text(content),)
    parts: list[Part] = []
    for i, part in enumerate(content):
        if part.type == "text" and part.text is not None:
            parts.append(Text(part.text))
        elif part.type == "image_url" and part.image_url is not None:
            parts.append(image_from_data_url(part.image_url.url, f"{at}.content.{i}"))
        else:
            raise _refuse(
                f"{at}.content.{i}", f"Content parts of type '{part.type}' are not taken."
            )
    return tuple(parts)


def _arguments(raw: str, at: str) -> dict[str, object]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        raise _refuse(at, "A tool call's arguments must be a JSON object.") from None
    if not isinstance(value, dict):
        raise _refuse(at, "A tool call's arguments must be a JSON object.")
    return value


def _message(m: ChatMessageIn, at: str, tool_names: dict[str, str]) -> Message:
    if m.role in ("system", "developer"):
        return Message("system", _parts(m.content, at))
    if m.role == "user":
        return Message("user", _parts(m.content, at))
    if m.role == "tool":
        call_id = m.tool_call_id or ""
        text = "".join(p.text for p in _parts(m.content, at) if isinstance(p, Text))
        return Message("tool", (ToolResult(call_id, tool_names.get(call_id, m.name or ""), text),))
    calls: list[Part] = []
    for i, call in enumerate(m.tool_calls or ()):
        tool_names[call.id] = call.function.name
        args = _arguments(call.function.arguments, f"{at}.tool_calls.{i}.function.arguments")
        calls.append(ToolCall(call.id, call.function.name, args))
    return Message("assistant", (*_parts(m.content, at), *calls))


def to_ask(body: ChatCompletionIn) -> Ask:
    """The canonical request; refuses what the gateway cannot send on."""
    if body.n not in (None, 1):
        raise _refuse("n", "The gateway returns one choice; leave n out or set it to 1.")
    if body.stop:
        raise _refuse("stop", "Stop sequences are not passed on; leave stop out.")
    tool_names: dict[str, str] = {}
    messages = tuple(_message(m, f"messages.{i}", tool_names) for i, m in enumerate(body.messages))
    tools = tuple(
        ToolSpec(t.function.name, t.function.description, t.function.parameters)
        for t in body.tools or ()
    )
    return Ask(
        model_ref=body.model,
        messages=messages,
        tools=tools,
        max_output_tokens=body.max_completion_tokens or body.max_tokens,
        temperature=body.temperature,
        top_p=body.top_p,
    )
