"""An idempotent retry's answer: the stored answers of the first request, as the events the live
stream sent for them.

The text comes as one ``delta``, every event is marked ``replayed``, and the key the call started
on is read back from the stored fallback. What is not stored cannot be replayed: a
``context.trimmed`` notice and the provider's cached-token count (reported as 0).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

import msgspec
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.chat.access import ConversationAccess
from workspace.chat.events import (
    NO_OWN_KEY,
    Delta,
    Fallback,
    MessageEnd,
    MessageStart,
    StreamEvent,
    UsageReport,
    error,
    frame,
)
from workspace.chat.models import ChatIdempotency, ChatMessage
from workspace.chat.parts import text_of
from workspace.chat.service import hidden_compares


@dataclass(frozen=True)
class Stored:
    """A stored answer, replayed for a retried request."""

    message: ChatMessage
    text: str
    blind: bool = False


def _started_on(m: ChatMessage) -> str | None:
    """The key source ``message.start`` named: an own key that then failed, or the final one."""
    if m.fallback_from is not None and m.fallback_from != NO_OWN_KEY:
        return m.fallback_from
    return m.key_source


def replay_events(answer: Stored, title: str) -> list[StreamEvent]:
    """One stored answer as the events that streamed it."""
    m = answer.message
    usage = _usage(m)
    events: list[StreamEvent] = [_start(answer, title)]
    if m.fallback_from is not None and m.fallback_reason is not None:
        events.append(
            Fallback(from_source=m.fallback_from, key_source="platform", reason=m.fallback_reason)
        )
    if answer.text:
        events.append(Delta(text=answer.text))
    if usage is not None:
        events.append(usage)
    if m.error_code:
        events.append(error(m.error_code, m.error_message or m.error_code))
    events.append(
        MessageEnd(
            message_id=str(m.id),
            status=m.status,
            finish_reason=m.finish_reason,
            usage=usage,
            credits=m.credits_charged,
            cost_usd_micros=m.cost_usd_micros,
            latency_ms=m.latency_ms,
            first_token_ms=m.first_token_ms,
        )
    )
    return [msgspec.structs.replace(e, lane=m.lane, replayed=True) for e in events]


def _start(answer: Stored, title: str) -> MessageStart:
    m = answer.message
    return MessageStart(
        conversation_id=str(m.conversation_id),
        message_id=str(m.id),
        parent_id=str(m.parent_id),
        model=None if answer.blind else m.model,
        provider=None if answer.blind else m.provider,
        key_source=_started_on(m),
        compare_id=str(m.compare_id) if m.compare_id else None,
        title=title,
        ignored_parameters=() if answer.blind else tuple(m.ignored_parameters),
    )


def _usage(m: ChatMessage) -> UsageReport | None:
    if m.input_tokens is None or m.output_tokens is None:
        return None
    return UsageReport(input_tokens=m.input_tokens, output_tokens=m.output_tokens, cached_tokens=0)


async def replay(answers: Sequence[Stored], title: str) -> AsyncIterator[bytes]:
    """The stored result of an earlier request with the same Idempotency-Key, as events."""
    for answer in answers:
        for event in replay_events(answer, title):
            yield frame(event)


async def replay_stored(
    session: AsyncSession, access: ConversationAccess, previous: ChatIdempotency
) -> AsyncIterator[bytes]:
    """The stream of a finished idempotent request, replayed from its stored answers."""
    ids = [uuid.UUID(i) for i in previous.message_ids]
    rows = (await session.exec(select(ChatMessage).where(col(ChatMessage.id).in_(ids)))).all()
    hidden: set[uuid.UUID] = set()
    if previous.compare_id is not None:
        hidden = await hidden_compares(session, previous.conversation_id)
    for m in rows:
        # The replay runs after the request's session is rolled back (which expires objects).
        session.expunge(m)
    answers = [
        Stored(m, text_of(m.parts), m.compare_id in hidden)
        for m in sorted(rows, key=lambda m: (m.lane or 0, m.created_at))
    ]
    return replay(answers, access.conversation.title)
