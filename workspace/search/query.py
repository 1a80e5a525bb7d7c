"""From what a person types to a PostgreSQL text-search query, and back to highlighted snippets.

The ``simple`` configuration (no stemming, no stop words) is language-neutral, which a team
writing in several languages needs; every term matches as a prefix instead (``deploy`` finds
"deployment"), which is also what a search box typed into letter by letter expects. All terms
must match (AND), in the title or in one message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# ts_headline marks matches with these; they are removed from the text first, so they can only
# come from the marking.
HIT_START = "\x01"
HIT_END = "\x02"

_TERM = re.compile(r"\w+")


def tsquery(text: str, max_terms: int) -> str | None:
    """``to_tsquery`` input for ``text``: each word a prefix, all required; None if no word.

    Only word characters survive, so the result cannot carry tsquery syntax (``&``, ``!``, ``:``)
    from the user; it is still sent as a bound parameter.
    """
    terms = _TERM.findall(text.lower())[:max_terms]
    return " & ".join(f"{t}:*" for t in terms) or None


@dataclass(frozen=True, slots=True)
class Fragment:
    text: str
    hit: bool


def fragments(headline: str) -> list[Fragment]:
    """Split a ``ts_headline`` marked with HIT_START/HIT_END into plain and matched pieces."""
    pieces: list[Fragment] = []
    for i, chunk in enumerate(re.split(f"[{HIT_START}{HIT_END}]", headline)):
        if chunk:
            pieces.append(Fragment(chunk, hit=i % 2 == 1))
    return pieces
