"""Fitting a history into a model's context window: the trimming policy.

Policy (stated, so the user can be told what was left out):

* Tokens are estimated, not counted: characters / 4 plus a fixed overhead per message (role
  markers, separators), and a flat amount per image. The estimate errs on the large side, so a
  history we consider fitting also fits the provider's own tokenizer in practice.
* The budget is ``context_window - reserved_output``; the reserve keeps room for the answer.
* System messages are always kept.
* The history is cut into *turns*: a user message and everything after it up to the next user
  message (assistant answers, tool calls and their results). Only whole turns are dropped, oldest
  first, so a tool call is never separated from its result.
* The latest turn (the message being answered) is never dropped; if it alone does not fit, the
  request is refused before any provider is called.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from adapters import Image, Message, ModelInfo, Reasoning, Text, ToolCall, ToolResult

CHARS_PER_TOKEN: Final = 4
MESSAGE_OVERHEAD_TOKENS: Final = 8
IMAGE_TOKENS: Final = 1000
MIN_RESERVED_OUTPUT: Final = 256
MAX_RESERVED_OUTPUT: Final = 4096


@dataclass(frozen=True)
class Fitted:
    """The history to send and what was left out of it."""

    messages: tuple[Message, ...]
    turns_dropped: int
    messages_dropped: int
    estimated_tokens: int
    budget: int


class DoesNotFit(Exception):
    """Even the latest turn alone is larger than the model's window."""

    def __init__(self, tokens: int, budget: int) -> None:
        super().__init__(f"{tokens} estimated tokens > budget {budget}")
        self.tokens = tokens
        self.budget = budget


def estimate_message(message: Message) -> int:
    """Estimated tokens of one message, overhead included."""
    chars, images = 0, 0
    for part in message.parts:
        if isinstance(part, Text | Reasoning):
            chars += len(part.text)
        elif isinstance(part, Image):
            images += 1
        elif isinstance(part, ToolCall):
            chars += len(part.name) + len(repr(part.arguments))
        elif isinstance(part, ToolResult):
            chars += len(part.name) + len(part.content)
    return -(-chars // CHARS_PER_TOKEN) + images * IMAGE_TOKENS + MESSAGE_OVERHEAD_TOKENS


def reserved_output(model: ModelInfo) -> int:
    """Room kept for the answer: an eighth of the window, within fixed bounds and max_output."""
    share = max(MIN_RESERVED_OUTPUT, min(MAX_RESERVED_OUTPUT, model.context_window // 8))
    return min(share, model.max_output) if model.max_output > 0 else share


def split_turns(messages: tuple[Message, ...]) -> list[list[Message]]:
    """Non-system messages grouped into turns, each starting at a user message."""
    turns: list[list[Message]] = []
    for message in messages:
        if message.role == "system":
            continue
        if message.role == "user" or not turns:
            turns.append([message])
        else:
            turns[-1].append(message)
    return turns


def fit(messages: tuple[Message, ...], model: ModelInfo) -> Fitted:
    """Drop the oldest whole turns until the history fits ``model``; see the module policy."""
    budget = model.context_window - reserved_output(model)
    system = [m for m in messages if m.role == "system"]
    turns = split_turns(messages)
    sizes = [sum(estimate_message(m) for m in turn) for turn in turns]
    total = sum(estimate_message(m) for m in system) + sum(sizes)
    dropped = 0
    while total > budget and dropped < len(turns) - 1:
        total -= sizes[dropped]
        dropped += 1
    if total > budget:
        raise DoesNotFit(total, budget)
    kept_turns = turns[dropped:]
    kept = tuple(system) + tuple(m for turn in kept_turns for m in turn)
    messages_dropped = sum(len(turn) for turn in turns[:dropped])
    return Fitted(kept, dropped, messages_dropped, total, budget)
