"""A new conversation's title, taken from its first prompt.

The rule: collapse every run of whitespace (newlines, tabs) to one space; if the result fits in
``limit`` characters it is the title; otherwise cut at the last word boundary that leaves room for
a closing "…" and never return more than ``limit`` characters. A single word longer than the
limit is cut mid-word (there is no boundary to honour). An empty or blank prompt gives "" so the
pages keep their own placeholder ("New chat").
"""

from __future__ import annotations

from typing import Final

ELLIPSIS: Final = "…"
TITLE_LIMIT: Final = 80
# Punctuation that reads badly right before the ellipsis ("Compare these,…").
_TRAILING: Final = " \t,;:-\u2013\u2014"  # and the en and em dashes


def title_from_prompt(text: str, limit: int = TITLE_LIMIT) -> str:
    """The first prompt as a one-line title of at most ``limit`` characters."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    room = limit - len(ELLIPSIS)
    head = flat[:room]
    # ``flat[room]`` is the first character left out: a space there means ``head`` already ends
    # on a whole word; otherwise step back to the previous space, if the prompt has one.
    if flat[room] != " ":
        boundary = head.rfind(" ")
        if boundary > 0:
            head = head[:boundary]
    return head.rstrip(_TRAILING) + ELLIPSIS
