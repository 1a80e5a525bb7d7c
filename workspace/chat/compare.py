"""Compare: one prompt to 2..N models at once, then a verdict and a branch to continue on.

Starting a compare lives in :mod:`workspace.chat.turns` (it shares the message path); the lanes
stream through :mod:`workspace.chat.streaming`. This module reads a compare back, records the
vote, and continues the conversation on the chosen lane: that lane's answer becomes the current
leaf, so the next turn's history carries that answer and no other lane's.

Blind compares hide which model answered in which lane (in the stream, in the conversation and
here) until someone votes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.audit.actions import AuditAction
from workspace.audit.service import Actor, record
from workspace.chat import service
from workspace.chat.access import CompareAccess, ConversationAccess
from workspace.chat.models import ChatMessage, CompareRun, CompareVote
from workspace.errors import Conflict, InvalidInput, NotFound

VERDICTS = ("tie", "both_bad")


class AlreadyVoted(Conflict):
    code = "already_voted"


class CompareRunning(Conflict):
    code = "compare_running"


class InvalidLane(InvalidInput):
    code = "invalid_lane"


@dataclass(frozen=True)
class LaneView:
    lane: int
    model: str | None
    message_id: uuid.UUID | None
    status: str | None


@dataclass(frozen=True)
class CompareView:
    run: CompareRun
    vote: CompareVote | None
    lanes: tuple[LaneView, ...]

    @property
    def revealed(self) -> bool:
        return not self.run.blind or self.vote is not None


async def lane_messages(session: AsyncSession, run: CompareRun) -> dict[int, ChatMessage]:
    stmt = select(ChatMessage).where(
        ChatMessage.compare_id == run.id, ChatMessage.conversation_id == run.conversation_id
    )
    return {m.lane: m for m in (await session.exec(stmt)).all() if m.lane is not None}


async def vote_of(session: AsyncSession, run: CompareRun) -> CompareVote | None:
    return (await session.exec(select(CompareVote).where(CompareVote.compare_id == run.id))).first()


async def view(session: AsyncSession, run: CompareRun) -> CompareView:
    vote = await vote_of(session, run)
    revealed = not run.blind or vote is not None
    answers = await lane_messages(session, run)
    lanes = tuple(
        LaneView(
            index,
            ref if revealed else None,
            answers[index].id if index in answers else None,
            answers[index].status if index in answers else None,
        )
        for index, ref in enumerate(run.models)
    )
    return CompareView(run, vote, lanes)


def _lane(run: CompareRun, lane: int) -> int:
    if not 0 <= lane < len(run.models):
        raise InvalidLane(f"lane must be between 0 and {len(run.models) - 1}.")
    return lane


async def vote(
    session: AsyncSession, actor: Actor, access: CompareAccess, winner: int | str
) -> CompareView:
    """Record the verdict: a lane index, ``tie`` or ``both_bad``; one vote per compare."""
    run = access.run
    if run.status != "done":
        raise CompareRunning("The comparison is still running; vote once every lane has ended.")
    verdict = str(_lane(run, winner)) if isinstance(winner, int) else winner
    if verdict not in VERDICTS and not verdict.isdigit():
        raise InvalidLane("winner must be a lane index, 'tie' or 'both_bad'.")
    session.add(
        CompareVote(compare_id=run.id, voter_id=access.member.principal.user_id, winner=verdict)
    )
    await record(
        session,
        actor,
        AuditAction.COMPARE_VOTED,
        target_type="compare",
        target_id=run.id,
        workspace_id=run.workspace_id,
        details={"winner": verdict},
    )
    try:
        await session.flush()
    except IntegrityError:
        raise AlreadyVoted("This comparison already has a vote.") from None
    return await view(session, run)


async def continue_on(session: AsyncSession, access: CompareAccess, lane: int) -> uuid.UUID:
    """Make ``lane``'s answer the current leaf; returns the new leaf id."""
    run = access.run
    answers = await lane_messages(session, run)
    message = answers.get(_lane(run, lane))
    if message is None:
        raise NotFound("That lane has no stored answer (yet).")
    run.chosen_lane = lane
    session.add(run)
    conversation = ConversationAccess(access.member, access.conversation)
    updated, _ = await service.set_current(session, conversation, message.id)
    assert updated.current_leaf_id is not None
    return updated.current_leaf_id
