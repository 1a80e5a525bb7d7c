"""Provider-neutral clean-up applied before any translator runs.

A history built with one provider (or edited, branched and switched) can hold things another
provider rejects: tool results whose call is gone, tool calls never answered, ids in a foreign
format, empty turns. Every translator starts from `prepare_history` so all of them agree on what
survives and nothing invalid is ever sent.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from adapters.types import Image, Message, Part, Reasoning, Text, ToolCall, ToolResult

_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


@dataclass(frozen=True, slots=True)
class PreparedHistory:
    """The system prompt pulled out, and the remaining turns with tool pairs made consistent."""

    system: str
    messages: tuple[Message, ...]


def safe_tool_id(call_id: str) -> str:
    """An id every provider accepts (``[A-Za-z0-9_-]{1,40}``), stable for the same input."""
    if _SAFE_ID.match(call_id):
        return call_id
    return "call_" + hashlib.sha256(call_id.encode()).hexdigest()[:24]


def tool_call_as_text(call: ToolCall) -> Text:
    """A tool call the target cannot pair with a result, kept as readable context."""
    args = json.dumps(call.arguments, ensure_ascii=False, sort_keys=True)
    return Text(f"[called tool {call.name} with {args}]")


def tool_result_as_text(result: ToolResult) -> Text:
    """An orphan tool result, kept as readable context instead of an invalid tool turn."""
    label = "error" if result.is_error else "result"
    return Text(f"[tool {result.name} {label}: {result.content}]")


def prepare_history(messages: tuple[Message, ...]) -> PreparedHistory:
    """Pull out system text, pair tool calls with results, degrade the rest to text.

    A call is kept as a call only when the contiguous run of tool messages right after its
    assistant turn answers it; a result is kept only when it answers such a call. Everything
    else becomes text, so every provider receives well-formed tool turns.
    """
    system = "\n\n".join(m.text() for m in messages if m.role == "system" and m.text())
    turns = [m for m in messages if m.role != "system"]
    out: list[Message] = []
    i = 0
    while i < len(turns):
        message = turns[i]
        if message.role == "assistant":
            j = i + 1
            while j < len(turns) and turns[j].role == "tool":
                j += 1
            following = turns[i + 1 : j]
            out.extend(_pair(message, following))
            i = j
            continue
        if message.role == "tool":
            out.extend(_pair(None, [message]))
        else:
            out.append(_user_turn(message))
        i += 1
    return PreparedHistory(system=system, messages=tuple(m for m in out if m.parts))


def _pair(assistant: Message | None, tool_turns: list[Message]) -> list[Message]:
    calls = [p for p in assistant.parts if isinstance(p, ToolCall)] if assistant else []
    answered = {p.call_id for t in tool_turns for p in t.parts if isinstance(p, ToolResult)} & {
        c.id for c in calls
    }
    result: list[Message] = []
    if assistant is not None:
        parts: list[Part] = []
        for part in assistant.parts:
            if isinstance(part, ToolCall) and part.id not in answered:
                parts.append(tool_call_as_text(part))
            elif isinstance(part, ToolResult):
                parts.append(tool_result_as_text(part))
            else:
                parts.append(part)
        result.append(Message("assistant", tuple(parts)))
    kept: list[Part] = []
    orphans: list[Part] = []
    seen: set[str] = set()
    for turn in tool_turns:
        for part in turn.parts:
            if (
                isinstance(part, ToolResult)
                and part.call_id in answered
                and part.call_id not in seen
            ):
                seen.add(part.call_id)
                kept.append(part)
            elif isinstance(part, ToolResult):
                orphans.append(tool_result_as_text(part))
            elif isinstance(part, Text | Image):
                orphans.append(part)
    if kept:
        result.append(Message("tool", tuple(kept)))
    if orphans:
        result.append(Message("user", tuple(orphans)))
    return result


def _user_turn(message: Message) -> Message:
    parts: list[Part] = []
    for part in message.parts:
        if isinstance(part, ToolCall):
            parts.append(tool_call_as_text(part))
        elif isinstance(part, ToolResult):
            parts.append(tool_result_as_text(part))
        elif not isinstance(part, Reasoning):
            parts.append(part)
    return Message("user", tuple(parts))


def drop_foreign_reasoning(message: Message, provider: str | None) -> Message:
    """Keep only reasoning signed by `provider` (None = drop all reasoning)."""
    parts = tuple(
        p
        for p in message.parts
        if not isinstance(p, Reasoning) or (provider and p.provider == provider and p.signature)
    )
    return Message(message.role, parts)
