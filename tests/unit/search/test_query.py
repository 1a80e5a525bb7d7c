"""Turning typed text into a text-search query, and a marked headline into snippet pieces."""

from __future__ import annotations

import pytest

from workspace.search.query import HIT_END, HIT_START, Fragment, fragments, tsquery


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("deploy", "deploy:*"),
        ("Kubernetes  Deploy", "kubernetes:* & deploy:*"),
        ("what's the plan?", "what:* & s:* & the:* & plan:*"),
        ("a & !b | c:*", "a:* & b:* & c:*"),
        ("größe straße", "größe:* & straße:*"),
        ("   ", None),
        ("&|!():*", None),
    ],
)
def test_every_word_is_a_required_prefix_and_no_syntax_survives(
    typed: str, expected: str | None
) -> None:
    assert tsquery(typed, max_terms=10) == expected


def test_words_past_the_limit_are_ignored() -> None:
    assert tsquery("one two three four", max_terms=2) == "one:* & two:*"


def test_headline_marks_become_hit_fragments() -> None:
    headline = f"we should {HIT_START}deploy{HIT_END} on {HIT_START}Friday{HIT_END}"
    assert fragments(headline) == [
        Fragment("we should ", hit=False),
        Fragment("deploy", hit=True),
        Fragment(" on ", hit=False),
        Fragment("Friday", hit=True),
    ]


def test_a_headline_starting_with_a_hit() -> None:
    assert fragments(f"{HIT_START}Deploy{HIT_END} now") == [
        Fragment("Deploy", hit=True),
        Fragment(" now", hit=False),
    ]
