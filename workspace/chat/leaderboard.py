"""The per-workspace model leaderboard, from compare votes: Bradley-Terry, shown on the Elo scale.

Why Bradley-Terry and not Elo: Elo updates ratings one vote at a time, so the result depends on
the order votes arrived in and on a K-factor; with the few dozen votes a workspace typically
has, that order effect is as large as the differences we want to show. Bradley-Terry fits one
strength per model to *all* votes at once (maximum likelihood), so the same votes always give the
same table. It is what public arenas moved to for the same reason. Ratings are reported as
``1000 + 400 * log10(strength)`` so they read like Elo.

How a vote becomes pairwise results: the winning lane beats every other lane of that compare;
``tie`` and ``both_bad`` count as a draw between every pair (half a win each). Lanes that ended in
an error are left out: a provider outage says nothing about answer quality. Two lanes of the
same model are not compared with each other.

A weak prior (one virtual draw of every model against a fixed 1000-rated reference) keeps the
fit finite when a model has only wins or only losses, and pulls models with few votes towards
1000 instead of to an extreme.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Final

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.chat.models import ChatMessage, CompareRun, CompareVote

BASE_RATING: Final = 1000.0
SCALE: Final = 400.0
PRIOR_GAMES: Final = 1.0
ITERATIONS: Final = 200
TOLERANCE: Final = 1e-9


@dataclass(frozen=True)
class Standing:
    model: str
    rating: float
    wins: int
    losses: int
    ties: int
    comparisons: int


@dataclass(frozen=True)
class Outcome:
    """One pairwise result: ``score`` is 1 when ``a`` won, 0.5 for a draw."""

    a: str
    b: str
    score: float


def pairwise(models: list[str], failed: set[int], winner: str) -> list[Outcome]:
    """The pairwise results one vote implies."""
    lanes = [i for i in range(len(models)) if i not in failed]
    out: list[Outcome] = []
    if winner.isdigit():
        w = int(winner)
        if w in failed or w >= len(models):
            return []
        out.extend(Outcome(models[w], models[i], 1.0) for i in lanes if models[i] != models[w])
        return out
    for x, i in enumerate(lanes):
        for j in lanes[x + 1 :]:
            if models[i] != models[j]:
                out.append(Outcome(models[i], models[j], 0.5))
    return out


def fit(outcomes: list[Outcome]) -> dict[str, float]:
    """Bradley-Terry strengths by the MM algorithm (Hunter 2004), with the reference prior."""
    names = sorted({o.a for o in outcomes} | {o.b for o in outcomes})
    if not names:
        return {}
    wins: dict[str, float] = defaultdict(float)
    games: dict[tuple[str, str], float] = defaultdict(float)
    for o in outcomes:
        wins[o.a] += o.score
        wins[o.b] += 1.0 - o.score
        games[(o.a, o.b)] += 1.0
        games[(o.b, o.a)] += 1.0
    strength = dict.fromkeys(names, 1.0)
    for _ in range(ITERATIONS):
        updated: dict[str, float] = {}
        for name in names:
            # The prior: PRIOR_GAMES draws against a reference of strength 1.
            numerator = wins[name] + PRIOR_GAMES / 2
            denominator = PRIOR_GAMES / (strength[name] + 1.0)
            for other in names:
                n = games.get((name, other), 0.0)
                if n:
                    denominator += n / (strength[name] + strength[other])
            updated[name] = numerator / denominator
        change = max(abs(updated[n] - strength[n]) for n in names)
        strength = updated
        if change < TOLERANCE:
            break
    return {n: BASE_RATING + SCALE * math.log10(s) for n, s in strength.items()}


async def standings(session: AsyncSession, workspace_id: uuid.UUID) -> list[Standing]:
    """The leaderboard of one workspace, best first."""
    votes = (
        await session.exec(
            select(CompareRun, CompareVote)
            .join(CompareVote, col(CompareVote.compare_id) == col(CompareRun.id))
            .where(CompareRun.workspace_id == workspace_id)
        )
    ).all()
    if not votes:
        return []
    run_ids = [run.id for run, _ in votes]
    failed_rows = (
        await session.exec(
            select(ChatMessage.compare_id, ChatMessage.lane).where(
                col(ChatMessage.compare_id).in_(run_ids), ChatMessage.status == "error"
            )
        )
    ).all()
    failed: dict[uuid.UUID, set[int]] = defaultdict(set)
    for compare_id, lane in failed_rows:
        if compare_id is not None and lane is not None:
            failed[compare_id].add(lane)
    outcomes: list[Outcome] = []
    for run, vote in votes:
        outcomes.extend(pairwise(list(run.models), failed[run.id], vote.winner))
    ratings = fit(outcomes)
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for o in outcomes:
        if o.score == 1.0:
            tally[o.a][0] += 1
            tally[o.b][1] += 1
        else:
            tally[o.a][2] += 1
            tally[o.b][2] += 1
    table = [
        Standing(name, round(rating, 1), w, lost, tied, w + lost + tied)
        for name, rating in ratings.items()
        for w, lost, tied in [tally[name]]
    ]
    return sorted(table, key=lambda s: (-s.rating, s.model))
