"""Deterministic replies that describe the context the simulator received.

Adapters must carry the whole conversation across providers; a reply such as
``[openai/gpt-4o] messages=3 roles=user,assistant,user system=yes images=0 last_user=hi``
lets a test see at a glance that history, roles, the system prompt and images arrived intact.
That ``describe`` style is the default; the ``prose`` style (see ``prose.py``) answers in
markdown for people and keeps the same facts in a footer. Either way the same request gets the
same text, and token counts are estimates (characters / 4, rounded up) of exactly that text, so
usage accounting is predictable.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Final, Literal

from adapters.simulator import prose
from adapters.simulator.catalogue import ModelInfo
from adapters.simulator.common import Failure, dumps_str
from adapters.simulator.conversation import Conversation
from adapters.simulator.state import ReplyStyle, Scenario

LAST_USER_CHARS: Final = 80
TOOL_RESULT_CHARS: Final = 200
_TOOL_WORD: Final = re.compile("tool", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ToolCall:
    """The single tool call the simulator makes when asked to use a tool."""

    id: str
    name: str
    arguments: str


@dataclass(frozen=True, slots=True)
class ReplyPlan:
    """What to answer, before any provider formats it."""

    text: str
    tool_call: ToolCall | None
    finish: Literal["stop", "length", "tool"]
    input_tokens: int
    output_tokens: int
    pieces: list[str]
    thinking: str | None = None


def estimate_tokens(chars: int) -> int:
    """ceil(chars / 4), at least 1: the simulator's stand-in for a tokenizer."""
    return max(1, math.ceil(chars / 4))


def split_pieces(text: str, count: int) -> list[str]:
    """Split a reply into ``count`` nearly equal pieces (fewer when the text is shorter)."""
    if not text:
        return [""]
    count = max(1, min(count, len(text)))
    size, extra = divmod(len(text), count)
    pieces: list[str] = []
    start = 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        pieces.append(text[start:end])
        start = end
    return pieces


def describe(provider: str, model: str, conv: Conversation) -> str:
    """The canonical reply text for a conversation."""
    text = (
        f"[{provider}/{model}] messages={len(conv.roles)} roles={','.join(conv.roles)} "
        f"system={'yes' if conv.has_system else 'no'} images={conv.images} "
        f"last_user={conv.last_user_text[:LAST_USER_CHARS]}"
    )
    if conv.last_is_tool_result:
        text += f" tool_result={conv.tool_result_text[:TOOL_RESULT_CHARS]}"
    return text


def reply_text(style: ReplyStyle | None, provider: str, model: str, conv: Conversation) -> str:
    """The reply in the requested style (``describe`` when none is named)."""
    if style == "prose":
        return prose.compose(model, conv)
    return describe(provider, model, conv)


class ContextTooLong(Failure):
    """The estimated prompt exceeds the model's window; wires word it the provider's way."""

    def __init__(self, tokens: int, window: int) -> None:
        super().__init__(
            "context_length",
            f"This model's maximum context length is {window} tokens. However, your messages "
            f"resulted in {tokens} tokens. Please reduce the length of the messages.",
            param="messages",
        )
        self.tokens = tokens
        self.window = window


def check_context(conv: Conversation, model: ModelInfo) -> int:
    """Estimated input tokens; raise the provider's context-length failure when over the window."""
    tokens = estimate_tokens(conv.chars)
    if tokens > model.context_window:
        raise ContextTooLong(tokens, model.context_window)
    return tokens


def plan_reply(
    provider: str, model: ModelInfo, conv: Conversation, scenario: Scenario, call_id: str
) -> ReplyPlan:
    """Decide the reply: a tool call when asked for one, else descriptive (or fixed) text."""
    input_tokens = check_context(conv, model)
    wants_tool = (
        bool(conv.tool_names)
        and not conv.last_is_tool_result
        and conv.roles[-1:] == ["user"]
        and _TOOL_WORD.search(conv.last_user_text) is not None
    )
    thinking = f"Considering {len(conv.roles)} messages." if conv.thinking else None
    if wants_tool:
        arguments = dumps_str({"query": conv.last_user_text})
        call = ToolCall(call_id, conv.tool_names[0], arguments)
        return ReplyPlan(
            text="",
            tool_call=call,
            finish="tool",
            input_tokens=input_tokens,
            output_tokens=estimate_tokens(len(call.name) + len(arguments)),
            pieces=split_pieces(arguments, scenario.chunks),
            thinking=thinking,
        )
    text = (
        scenario.reply
        if scenario.reply is not None
        else reply_text(scenario.style, provider, model.id, conv)
    )
    finish: Literal["stop", "length"] = "stop"
    limit = conv.max_output
    if limit is not None and estimate_tokens(len(text)) > limit:
        text = text[: limit * 4]
        finish = "length"
    return ReplyPlan(
        text=text,
        tool_call=None,
        finish=finish,
        input_tokens=input_tokens,
        output_tokens=estimate_tokens(len(text)),
        pieces=split_pieces(text, scenario.chunks),
        thinking=thinking,
    )
