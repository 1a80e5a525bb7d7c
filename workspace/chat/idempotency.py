"""``Idempotency-Key`` on message and compare requests: run once, replay afterwards.

The first request with a key inserts a ``running`` record (a unique constraint on user + key
decides the race); it becomes ``done`` with the ids of the answers once the stream ends. A retry
with the same key and the same body replays the stored answers; while the first is still running
it gets 409 ``request_in_progress``; the same key with a different body is refused.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta

import msgspec
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.chat.models import IDEMPOTENCY_KEY_MAX, ChatIdempotency
from workspace.db.columns import utcnow
from workspace.db.writes import Write, row_update
from workspace.errors import Conflict, IdempotencyKeyReused, InvalidInput
from workspace.teams.guards import Member


class RequestInProgress(Conflict):
    code = "request_in_progress"


class InvalidIdempotencyKey(InvalidInput):
    code = "invalid_idempotency_key"


@dataclass(frozen=True)
class Claim:
    """Either this request owns the key (``record_id``) or it replays ``previous``; neither for a
    request sent without a key."""

    record_id: uuid.UUID | None
    previous: ChatIdempotency | None


def request_hash(kind: str, conversation_id: uuid.UUID, body: object) -> str:
    encoded = msgspec.json.encode(
        {"kind": kind, "conversation": str(conversation_id), "body": body}
    )
    return hashlib.sha256(encoded).hexdigest()


def check_key(key: str) -> str:
    if not key or len(key) > IDEMPOTENCY_KEY_MAX or not key.isprintable():
        raise InvalidIdempotencyKey(
            f"Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_MAX} printable characters."
        )
    return key


async def claim(
    session: AsyncSession,
    member: Member,
    key: str,
    digest: str,
    conversation_id: uuid.UUID,
    *,
    stale_after_s: float,
) -> Claim:
    """Own the key, or learn what the earlier request with it did.

    A claim still "running" after ``stale_after_s`` belonged to a process that died mid-request;
    it is taken over (atomically, so only one retry wins) instead of answering 409 forever.
    """
    inserted = await _insert(session, member, key, digest, conversation_id)
    if inserted is not None:
        return Claim(inserted, None)
    existing = (
        await session.exec(
            select(ChatIdempotency).where(
                ChatIdempotency.user_id == member.principal.user_id, ChatIdempotency.key == key
            )
        )
    ).one()
    if existing.request_hash != digest:
        raise IdempotencyKeyReused("This Idempotency-Key was already used for another request.")
    if existing.status != "running":
        return Claim(None, existing)
    taken = await _take_over(session, existing.id, stale_after_s)
    if taken is None:
        raise RequestInProgress(
            "A request with this Idempotency-Key is still running; retry once it has finished."
        )
    return Claim(taken, None)


async def _insert(
    session: AsyncSession, member: Member, key: str, digest: str, conversation_id: uuid.UUID
) -> uuid.UUID | None:
    """A new ``running`` record, or None when the user already used the key."""
    stmt = (
        pg_insert(ChatIdempotency)
        .values(
            id=uuid.uuid4(),
            workspace_id=member.workspace_id,
            user_id=member.principal.user_id,
            key=key,
            request_hash=digest,
            status="running",
            conversation_id=conversation_id,
            message_ids=[],
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        .on_conflict_do_nothing(constraint="uq_chat_idempotency_user_key")
        .returning(col(ChatIdempotency.id))
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def _take_over(
    session: AsyncSession, record_id: uuid.UUID, stale_after_s: float
) -> uuid.UUID | None:
    """The running record, if it is stale (one retry wins); None while it is still alive."""
    cutoff = utcnow() - timedelta(seconds=stale_after_s)
    stmt = (
        sa.update(ChatIdempotency)
        .where(
            col(ChatIdempotency.id) == record_id,
            col(ChatIdempotency.status) == "running",
            col(ChatIdempotency.updated_at) < cutoff,
        )
        .values(updated_at=utcnow())
        .returning(col(ChatIdempotency.id))
    )
    return (await session.execute(stmt)).scalar_one_or_none()


def finished(
    record_id: uuid.UUID, message_ids: list[uuid.UUID], compare_id: uuid.UUID | None = None
) -> Write:
    """The claim's request is over: a retry replays ``message_ids`` (every lane of a compare)."""
    row = {
        "status": "done",
        "message_ids": [str(m) for m in message_ids],
        "compare_id": compare_id,
        "updated_at": utcnow(),
    }
    return row_update(ChatIdempotency, "id", record_id, row, "claim_")
