"""Canonical <-> Gemini `contents` (google-genai types).

Gemini takes the system prompt as `system_instruction`, roles "user"/"model" that alternate,
tool calls as `function_call` parts and results as `function_response` parts in a user turn,
and images as `inline_data`. Reasoning is never sent back.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

from google.genai import types as gt

from adapters.history import prepare_history
from adapters.types import (
    ChatRequest,
    Finish,
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

CONTINUATION = "(conversation continued)"


@dataclass(frozen=True, slots=True)
class GeminiParams:
    """`contents` and the parts of `GenerateContentConfig` that come from the history."""

    contents: list[gt.Content]
    system_instruction: str | None
    tools: list[gt.Tool]


def to_params(request: ChatRequest) -> GeminiParams:
    """Translate the canonical history into google-genai objects."""
    prepared = prepare_history(request.messages)
    turns: list[tuple[str, list[gt.Part]]] = []
    for message in prepared.messages:
        role = "model" if message.role == "assistant" else "user"
        parts = _parts(message)
        if not parts:
            continue
        if turns and turns[-1][0] == role:
            turns[-1][1].extend(parts)
        else:
            turns.append((role, parts))
    if not turns or turns[0][0] != "user":
        turns.insert(0, ("user", [gt.Part(text=CONTINUATION)]))
    tools = (
        [
            gt.Tool(
                function_declarations=[
                    gt.FunctionDeclaration(
                        name=t.name,
                        description=t.description,
                        parameters_json_schema=t.parameters,
                    )
                    for t in request.tools
                ]
            )
        ]
        if request.tools
        else []
    )
    return GeminiParams(
        contents=[gt.Content(role=role, parts=parts) for role, parts in turns],
        system_instruction=prepared.system or None,
        tools=tools,
    )


def _parts(message: Message) -> list[gt.Part]:
    parts: list[gt.Part] = []
    for part in message.parts:
        if isinstance(part, Text):
            if part.text:
                parts.append(gt.Part(text=part.text))
        elif isinstance(part, Image):
            if message.role == "assistant":
                parts.append(gt.Part(text="[image]"))
            else:
                parts.append(
                    gt.Part(inline_data=gt.Blob(mime_type=part.media_type, data=part.data))
                )
        elif isinstance(part, ToolCall):
            parts.append(
                gt.Part(function_call=gt.FunctionCall(name=part.name, args=part.arguments))
            )
        elif isinstance(part, ToolResult):
            key = "error" if part.is_error else "output"
            parts.append(
                gt.Part(
                    function_response=gt.FunctionResponse(
                        name=part.name, response={key: part.content}
                    )
                )
            )
    return parts


_FINISH: dict[str, FinishReason] = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "IMAGE_SAFETY": "content_filter",
}


@dataclass
class ResponseReader:
    """Turns streamed `GenerateContentResponse` chunks into canonical events."""

    finish: FinishReason | None = None
    usage: Usage | None = None
    _tools: int = 0
    _ids: list[str] = field(default_factory=list)

    def feed(self, chunk: gt.GenerateContentResponse) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        for candidate in (chunk.candidates or [])[:1]:
            for part in (candidate.content.parts if candidate.content else None) or []:
                events.extend(self._part(part))
            if candidate.finish_reason is not None:
                reason = str(candidate.finish_reason.value)
                mapped = _FINISH.get(reason, "stop")
                self.finish = "tool_calls" if self._tools and mapped == "stop" else mapped
        meta = chunk.usage_metadata
        if meta is not None and meta.prompt_token_count is not None:
            # Gemini repeats cumulative usage on every chunk; the caller reports the last one.
            self.usage = Usage(
                input_tokens=meta.prompt_token_count or 0,
                output_tokens=(meta.candidates_token_count or 0) + (meta.thoughts_token_count or 0),
                cached_tokens=meta.cached_content_token_count or 0,
            )
        return events

    def ending(self) -> list[StreamEvent]:
        """After the last chunk: the final usage, then `Finish` if Gemini said why it stopped."""
        events: list[StreamEvent] = [self.usage] if self.usage is not None else []
        if self.finish is not None:
            events.append(Finish(self.finish))
        return events

    def _part(self, part: gt.Part) -> list[StreamEvent]:
        if part.function_call is not None:
            call = part.function_call
            # Gemini often omits call ids; canonical results need one to pair with.
            call_id = call.id or f"call_{uuid.uuid4().hex[:24]}"
            index = self._tools
            self._tools += 1
            return [
                ToolCallDelta(
                    index=index,
                    id=call_id,
                    name=call.name or "",
                    arguments_delta=json.dumps(call.args or {}),
                )
            ]
        if part.text:
            return [ReasoningDelta(part.text) if part.thought else TextDelta(part.text)]
        return []
