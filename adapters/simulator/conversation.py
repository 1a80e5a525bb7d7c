"""What a wire module extracted from a request, in provider-neutral terms.

Its own module because both the reply planner and the prose writer read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

CanonicalRole = Literal["user", "assistant", "tool"]

IMAGE_CHARS: Final = 1000
"""Characters an image counts as in token estimates (real APIs bill images at a flat-ish rate)."""


@dataclass(slots=True)
class Conversation:
    """What a wire module extracted from a validated request, in provider-neutral terms."""

    roles: list[CanonicalRole] = field(default_factory=list)
    has_system: bool = False
    images: int = 0
    chars: int = 0
    last_user_text: str = ""
    last_is_tool_result: bool = False
    tool_result_text: str = ""
    tool_names: list[str] = field(default_factory=list)
    max_output: int | None = None
    thinking: bool = False

    def add_text(self, text: str) -> None:
        """Count text towards the input-token estimate."""
        self.chars += len(text)

    def add_image(self) -> None:
        """Count an image (flat) towards the estimate and the reply's ``images=`` field."""
        self.images += 1
        self.chars += IMAGE_CHARS
