"""Titles from the first prompt: one line, whole words, at most the limit, "…" when cut."""

from __future__ import annotations

import pytest

from workspace.chat.titles import ELLIPSIS, title_from_prompt


def test_short_prompt_is_the_title_unchanged() -> None:
    assert title_from_prompt("Plan the launch") == "Plan the launch"


def test_whitespace_runs_and_newlines_collapse_to_single_spaces() -> None:
    assert title_from_prompt("  Plan\n\nthe\t launch  ") == "Plan the launch"


def test_blank_prompt_gives_an_empty_title() -> None:
    assert title_from_prompt(" \n\t ") == ""


def test_prompt_of_exactly_the_limit_is_not_cut() -> None:
    text = "a" * 80
    assert title_from_prompt(text) == text


def test_long_prompt_is_cut_at_a_word_boundary_with_an_ellipsis() -> None:
    text = "Summarise the quarterly report for the board and list the three biggest risks we face"
    title = title_from_prompt(text)
    assert title == "Summarise the quarterly report for the board and list the three biggest risks…"
    assert len(title) <= 80
    assert text.startswith(title.removesuffix(ELLIPSIS))


def test_cut_never_splits_a_word() -> None:
    title = title_from_prompt("alpha beta gamma delta", limit=14)
    assert title == "alpha beta…"


def test_word_ending_exactly_at_the_cut_is_kept() -> None:
    # "alpha beta" is 10 characters, followed by a space: it fits in 11 - 1 whole.
    assert title_from_prompt("alpha beta gamma", limit=11) == "alpha beta…"


def test_single_overlong_word_is_cut_mid_word() -> None:
    assert title_from_prompt("x" * 100, limit=10) == "x" * 9 + ELLIPSIS


def test_trailing_punctuation_before_the_ellipsis_is_dropped() -> None:
    assert title_from_prompt("first, second, third, fourth", limit=16) == "first, second…"


@pytest.mark.parametrize("limit", [1, 2, 5, 20, 80, 200])
def test_title_never_exceeds_the_limit(limit: int) -> None:
    text = "word " * 100 + "tail"
    assert len(title_from_prompt(text, limit)) <= limit


def test_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        title_from_prompt("anything", limit=0)
