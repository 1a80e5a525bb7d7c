"""The prompting settings as one value, their bounds, and their API shape.

Bounds are the widest any provider accepts (OpenAI and Gemini take temperature 0..2); a value a
given provider cannot take is its own problem document from that provider, not guessed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Final

import msgspec

from adapters import Message, Text

SYSTEM_PROMPT_MAX_CHARS: Final = 20_000

SystemPrompt = Annotated[str, msgspec.Meta(max_length=SYSTEM_PROMPT_MAX_CHARS)]
Temperature = Annotated[float, msgspec.Meta(ge=0, le=2)]
TopP = Annotated[float, msgspec.Meta(ge=0, le=1)]
MaxOutputTokens = Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]


@dataclass(frozen=True, slots=True)
class Prompting:
    """How a conversation asks: a system prompt (empty = none) and sampling parameters (None =
    the provider's default)."""

    system_prompt: str = ""
    temperature: float | None = None
    top_p: float | None = None
    max_output_tokens: int | None = None

    def system_messages(self) -> tuple[Message, ...]:
        """The canonical system message leading the history, if there is a system prompt."""
        prompt = self.system_prompt.strip()
        return (Message("system", (Text(prompt),)),) if prompt else ()


class PromptingBody(msgspec.Struct, forbid_unknown_fields=True):
    """The settings as the API reads and writes them (every field optional: null = default)."""

    system_prompt: SystemPrompt = ""
    temperature: Temperature | None = None
    top_p: TopP | None = None
    max_output_tokens: MaxOutputTokens | None = None

    def value(self) -> Prompting:
        return Prompting(self.system_prompt, self.temperature, self.top_p, self.max_output_tokens)

    @classmethod
    def of(cls, prompting: Prompting) -> PromptingBody:
        return cls(
            prompting.system_prompt,
            prompting.temperature,
            prompting.top_p,
            prompting.max_output_tokens,
        )
