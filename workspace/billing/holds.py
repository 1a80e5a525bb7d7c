"""How many credits a platform call must hold before it starts: an upper bound of its cost.

The hold is what makes "credits charged == recorded cost" hold for every call without ever taking
a balance below its floor: admission takes the worst case up front, and the settlement only ever
gives back. The worst case is bounded on both sides of the call:

* **Input**: no provider's tokenizer makes more tokens than the UTF-8 bytes it reads (byte-level
  BPE and SentencePiece with byte fallback both spend at least one byte per token), plus a few
  tokens of framing per message and a flat ceiling per image.
* **Output**: the call is sent with a ``max_tokens`` cap (the request's, else the model's, never
  above ``SWITCHBOARD_PLATFORM_MAX_OUTPUT_TOKENS``), so the provider cannot bill more than it.

Models whose price is unknown cannot be bounded, so the platform key does not serve them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from adapters import Image, Message, ModelInfo, Reasoning, Text, ToolCall, ToolResult
from workspace.billing import plans
from workspace.errors import InvalidInput

FRAMING_TOKENS_PER_MESSAGE: Final = 16
"""Role markers and separators a provider adds around each message (real ones use 3 to 8)."""
IMAGE_TOKENS_BOUND: Final = 3_000
"""More than any provider bills for one image (OpenAI ~1,500 high detail, Anthropic ~1,600)."""


class PriceUnknown(InvalidInput):
    code = "price_unknown"


def input_tokens_bound(messages: Sequence[Message]) -> int:
    """An upper bound of the input tokens any provider can bill for ``messages``."""
    total = 0
    for message in messages:
        total += FRAMING_TOKENS_PER_MESSAGE
        for part in message.parts:
            if isinstance(part, Text | Reasoning):
                total += len(part.text.encode())
            elif isinstance(part, ToolCall):
                total += len(part.name.encode()) + len(repr(part.arguments).encode())
            elif isinstance(part, ToolResult):
                total += len(part.name.encode()) + len(part.content.encode())
            elif isinstance(part, Image):
                total += IMAGE_TOKENS_BOUND
    return total


def output_cap(model: ModelInfo, requested: int | None, platform_max: int) -> int:
    """The ``max_tokens`` a platform call is sent with (and held for)."""
    caps = [platform_max, requested or platform_max]
    if model.max_output > 0:
        caps.append(model.max_output)
    return max(1, min(caps))


def hold_credits(model: ModelInfo, messages: Sequence[Message], max_output_tokens: int) -> int:
    """Credits covering the worst case of this call; raises when the price is unknown."""
    if model.input_price_per_mtok is None or model.output_price_per_mtok is None:
        raise PriceUnknown(
            f"{model.ref} has no known price, so the platform key cannot serve it: "
            "use your own key.",
            extra={"model": model.ref},
        )
    micros = plans.cost_usd_micros(model, input_tokens_bound(messages), max_output_tokens)
    return plans.credits_for_micros(micros)
