"""Leaderboard maths: a vote becomes pairwise results, Bradley-Terry turns them into ratings on
the Elo scale (the same votes always give the same table, whatever their order)."""

from __future__ import annotations

import pytest

from workspace.chat.leaderboard import BASE_RATING, Outcome, fit, pairwise

A, B, C = "openai/gpt-4o", "anthropic/claude", "groq/llama"


@pytest.mark.parametrize(
    ("models", "failed", "winner", "outcomes"),
    [
        ([A, B], set(), "0", [Outcome(A, B, 1.0)]),
        ([A, B, C], set(), "1", [Outcome(B, A, 1.0), Outcome(B, C, 1.0)]),
        ([A, B], set(), "tie", [Outcome(A, B, 0.5)]),
        (
            [A, B, C],
            set(),
            "both_bad",
            [Outcome(A, B, 0.5), Outcome(A, C, 0.5), Outcome(B, C, 0.5)],
        ),
        ([A, B, C], {2}, "0", [Outcome(A, B, 1.0)]),
        ([A, B], {0}, "0", []),
        ([A, B], set(), "7", []),
        ([A, A, B], set(), "0", [Outcome(A, B, 1.0)]),
        ([A, A], set(), "tie", []),
    ],
    ids=[
        "winner beats the other lane",
        "winner beats every other lane",
        "tie is a draw",
        "both bad is a draw between every pair",
        "failed lanes are left out",
        "a failed winner says nothing",
        "a lane that does not exist says nothing",
        "a model is not compared with itself",
        "a draw of one model with itself says nothing",
    ],
)
def test_a_vote_becomes_pairwise_results(
    models: list[str], failed: set[int], winner: str, outcomes: list[Outcome]
) -> None:
    assert pairwise(models, failed, winner) == outcomes


def test_no_results_no_ratings() -> None:
    assert fit([]) == {}


def test_the_winner_rates_above_base_and_the_loser_below_symmetrically() -> None:
    ratings = fit([Outcome(A, B, 1.0)])
    assert ratings[A] > BASE_RATING > ratings[B]
    assert ratings[A] - BASE_RATING == pytest.approx(BASE_RATING - ratings[B])


def test_draws_leave_everyone_at_the_base_rating() -> None:
    ratings = fit([Outcome(A, B, 0.5), Outcome(B, C, 0.5)])
    assert all(r == pytest.approx(BASE_RATING) for r in ratings.values())


def test_only_wins_stay_finite_thanks_to_the_prior() -> None:
    ratings = fit([Outcome(A, B, 1.0)] * 50)
    assert BASE_RATING < ratings[A] < BASE_RATING + 2000


def test_the_order_of_votes_does_not_change_the_table() -> None:
    votes = [Outcome(A, B, 1.0), Outcome(B, C, 1.0), Outcome(C, A, 0.5), Outcome(A, C, 1.0)]
    forward, backward = fit(votes), fit(list(reversed(votes)))
    assert forward == pytest.approx(backward)
    assert forward[A] > forward[B] > forward[C]


def test_more_wins_rate_higher() -> None:
    ratings = fit([Outcome(A, C, 1.0)] * 3 + [Outcome(B, C, 1.0)])
    assert ratings[A] > ratings[B] > ratings[C]
