"""Usage events: one row per model call, written after the stream, never during it.

:func:`record_usage` writes one event in the caller's transaction (the gateway settles the credit
hold in the same one); :func:`usage_insert` is that write as a statement, for a caller that
sends it together with others in one round trip. :class:`UsageWriter` batches events in the
background for callers that must not wait on the database at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.billing.models import KEY_SOURCES, USAGE_STATUSES, UsageEvent
from workspace.billing.plans import usd_to_micros
from workspace.db.columns import utcnow
from workspace.db.writes import Write, execute, new_row, row_insert

log = logging.getLogger(__name__)

BYOK_SOURCES = frozenset({"request", "personal", "workspace"})


@dataclass(frozen=True)
class UsageRecord:
    """What one model call used. ``credits`` is ignored (0) for every BYOK key source."""

    workspace_id: uuid.UUID
    user_id: uuid.UUID
    provider: str
    model: str
    key_source: str
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    latency_ms: int = 0
    cost_usd: float = 0.0
    credits: int = 0
    status: str = "complete"
    fallback: bool = False
    # The model's price is unknown (only the provider's own list knows it): tokens are real,
    # the cost is not (0), so reports can say so.
    price_unknown: bool = False
    conversation_id: uuid.UUID | None = None
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    created_at: datetime | None = None


CHARS_PER_TOKEN = 4


def estimated_tokens(*texts: str) -> int:
    """Tokens of text the provider never counted for us (a stream cut before its usage report,
    a call recovered after its process died): four characters a token."""
    return sum(len(text) for text in texts) // CHARS_PER_TOKEN


def _event(record: UsageRecord) -> UsageEvent:
    return UsageEvent(**_row(record))


def _row(record: UsageRecord) -> dict[str, Any]:
    if record.key_source not in KEY_SOURCES:
        raise ValueError(f"unknown key source {record.key_source!r}")
    if record.status not in USAGE_STATUSES:
        raise ValueError(f"unknown usage status {record.status!r}")
    # Own keys never spend platform credits, whatever the caller computed.
    credits = 0 if record.key_source in BYOK_SOURCES else max(record.credits, 0)
    return new_row(
        UsageEvent,
        id=record.id,
        workspace_id=record.workspace_id,
        user_id=record.user_id,
        conversation_id=record.conversation_id,
        provider=record.provider,
        model=record.model,
        key_source=record.key_source,
        input_tokens=max(record.input_tokens, 0),
        output_tokens=max(record.output_tokens, 0),
        cached_tokens=max(record.cached_tokens, 0),
        latency_ms=max(record.latency_ms, 0),
        cost_usd_micros=usd_to_micros(record.cost_usd),
        credits=credits,
        status=record.status,
        fallback=record.fallback,
        price_unknown=record.price_unknown,
        created_at=record.created_at or utcnow(),
    )


async def record_usage(session: AsyncSession, record: UsageRecord) -> uuid.UUID:
    """Add the usage event to the caller's transaction (flushed, not committed); its id."""
    await execute(session, usage_insert(record))
    return record.id


def usage_insert(record: UsageRecord) -> Write:
    """The usage event's INSERT, to send with other writes (see :mod:`workspace.db.writes`)."""
    return row_insert(UsageEvent, _row(record), "usage_")


class UsageWriter:
    """Writes usage events in batches from a background task.

    :meth:`submit` never waits: it queues the record and returns its id. The task writes a batch
    when ``max_rows`` are waiting or ``max_delay_ms`` after the first of them arrived. A batch
    that fails to write is logged and dropped, so a database hiccup never stalls a stream.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        max_rows: int = 100,
        max_delay_ms: int = 200,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._max_rows = max_rows
        self._max_delay = max_delay_ms / 1000
        self._queue: asyncio.Queue[UsageRecord] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.dropped = 0

    def submit(self, record: UsageRecord) -> uuid.UUID:
        if self._closed:
            raise RuntimeError("the usage writer is closed")
        _event(record)  # reject a malformed record here, where the caller can see it
        self._queue.put_nowait(record)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())
        return record.id

    async def flush(self) -> None:
        """Wait until everything submitted so far is written (or dropped)."""
        await self._queue.join()

    async def close(self) -> None:
        """Write what is queued, then stop the background task."""
        self._closed = True
        await self.flush()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._queue.get()]
            deadline = loop.time() + self._max_delay
            while len(batch) < self._max_rows:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self._queue.get(), remaining))
                except TimeoutError:
                    break
            await self._write(batch)
            for _ in batch:
                self._queue.task_done()

    async def _write(self, batch: list[UsageRecord]) -> None:
        try:
            async with self._sessionmaker() as session:
                session.add_all([_event(r) for r in batch])
                await session.commit()
        except Exception:
            self.dropped += len(batch)
            log.exception("could not write %d usage events; dropped", len(batch))
