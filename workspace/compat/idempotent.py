"""``Idempotency-Key`` on the gateway: a retry replays the first answer, never a second call
or a second charge.

Chat's records are reused (:mod:`workspace.chat.idempotency`: one table, a key is unique per
user). A record points at a conversation and its answer, so a keyed exchange is always
recorded: in the conversation ``X-Switchboard-Conversation`` names, else in a new one (whose id
comes back in that header). The first request claims the key in its unit of work, so a refusal
(budget, policy) rolls the claim back and a retry runs; the answer's final state finishes it.

A retry with the same key, body and ``X-Switchboard-Conversation`` gets the stored answer in
its API's format (a stream in one piece if it asks for a stream), marked ``Idempotent-Replayed:
true``, with ``X-Switchboard-Answer-Status`` (``incomplete`` when the first client went away
mid-stream: the text is what had arrived). Another body under the key is 422
``idempotency_key_reused``; while the first still runs, 409 ``request_in_progress``. A process
that dies mid-answer leaves a live call whose recovery finishes the claim
(:mod:`workspace.chat.recovery`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, get_args

from litestar import Request
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import FinishReason, ProviderError, StreamEvent, ToolCall, Usage
from workspace.chat import idempotency
from workspace.chat.models import ChatIdempotency, ChatMessage
from workspace.chat.parts import load_parts, text_of
from workspace.compat.caller import CONVERSATION_HEADER, KEY_SOURCE_HEADER, ConversationRef
from workspace.compat.collected import Collected, ToolCallSoFar
from workspace.errors import NotFound
from workspace.runtime import Runtime
from workspace.teams.guards import Member

IDEMPOTENCY_HEADER = "idempotency-key"
REPLAYED_HEADER = "idempotent-replayed"
# How the replayed answer ended: ``complete``, ``incomplete`` (the first client went away
# mid-stream: the text is what had arrived) or ``error``; neither API's finish reasons say so.
ANSWER_STATUS_HEADER = "x-switchboard-answer-status"
_NO_CONVERSATION = uuid.UUID(int=0)
_FINISHES = frozenset(get_args(FinishReason))


@dataclass(frozen=True)
class Keyed:
    """A request's key and the digest of what it asks (API, workspace, conversation, body)."""

    key: str
    digest: str


def keyed(
    request: Request[Any, Any, Any],
    api: str,
    member: Member,
    conversation: ConversationRef,
    body: object,
) -> Keyed | None:
    """The request's ``Idempotency-Key`` (None without one), checked as chat checks it."""
    raw = request.headers.get(IDEMPOTENCY_HEADER)
    if raw is None:
        return None
    key = idempotency.check_key(raw)
    named = conversation if isinstance(conversation, uuid.UUID) else _NO_CONVERSATION
    kind = f"gateway:{api}:{member.workspace_id}:{conversation or ''}"
    return Keyed(key, idempotency.request_hash(kind, named, body))


class StoredError(ProviderError):
    """The error a stored answer ended with, under the code it was stored with."""

    def __init__(self, code: str, message: str, provider: str) -> None:
        super().__init__(message, provider=provider)
        self.code = code  # type: ignore[misc]  # the stored code, whichever class raised it


@dataclass
class Replay:
    """The stored answer of the request that first used the key, for :mod:`.openai_routes` and
    :mod:`.anthropic_routes` exactly as a live :class:`~workspace.compat.exchange.Exchange`."""

    collected: Collected
    key_source: str
    conversation_id: uuid.UUID
    status: str

    async def events(self) -> AsyncIterator[StreamEvent]:
        for event in self.collected.events():
            yield event

    async def run(self) -> Collected:
        return self.collected

    def buffered(self) -> bool:
        """A replay is all here: it goes out in one write."""
        return True

    def after_delivery(self) -> None:
        """Nothing to account: the first request did."""

    def headers(self) -> dict[str, str]:
        return {
            KEY_SOURCE_HEADER: self.key_source,
            CONVERSATION_HEADER: str(self.conversation_id),
            REPLAYED_HEADER: "true",
            ANSWER_STATUS_HEADER: self.status,
        }


def _collected(answer: ChatMessage) -> Collected:
    collected = Collected(text=text_of(answer.parts))
    calls = [p for p in load_parts(answer.parts) if isinstance(p, ToolCall)]
    for index, call in enumerate(calls):
        collected.tool_calls[index] = ToolCallSoFar(call.id, call.name, json.dumps(call.arguments))
    if answer.input_tokens is not None or answer.output_tokens is not None:
        collected.usage = Usage(answer.input_tokens or 0, answer.output_tokens or 0)
    if answer.finish_reason in _FINISHES:
        collected.finish = answer.finish_reason  # type: ignore[assignment]
    if answer.error_code:
        message = answer.error_message or "The answer failed."
        collected.error = StoredError(answer.error_code, message, answer.provider or "")
    return collected


async def _replay(db: AsyncSession, record: ChatIdempotency) -> Replay:
    answer_id = uuid.UUID(record.message_ids[0]) if record.message_ids else None
    answer = await db.get(ChatMessage, answer_id) if answer_id else None
    if answer is None:  # the conversation was deleted since: nothing left to replay
        raise NotFound("The answer of the request that first used this key is gone.")
    return Replay(
        _collected(answer), answer.key_source or "", record.conversation_id, answer.status
    )


async def resume(
    db: AsyncSession, runtime: Runtime, member: Member, request: Keyed
) -> Replay | tuple[uuid.UUID, uuid.UUID] | None:
    """What an earlier request with this key left: its answer to replay, or its claim taken
    over because its process died (the claim's id and conversation); None for a new key."""
    earlier = (
        await db.exec(
            select(ChatIdempotency).where(
                ChatIdempotency.user_id == member.principal.user_id,
                ChatIdempotency.key == request.key,
            )
        )
    ).one_or_none()
    if earlier is None:
        return None
    claim = await idempotency.claim(
        db,
        member,
        request.key,
        request.digest,
        earlier.conversation_id,
        stale_after_s=runtime.settings.idempotency_stale_s,
    )
    if claim.previous is not None:
        return await _replay(db, claim.previous)
    assert claim.record_id is not None
    return claim.record_id, earlier.conversation_id


async def claim_new(
    db: AsyncSession,
    runtime: Runtime,
    member: Member,
    request: Keyed,
    conversation_id: uuid.UUID,
) -> uuid.UUID:
    """Own a key no request has used yet (another one with it may have just started)."""
    claim = await idempotency.claim(
        db,
        member,
        request.key,
        request.digest,
        conversation_id,
        stale_after_s=runtime.settings.idempotency_stale_s,
    )
    if claim.record_id is None:
        raise idempotency.RequestInProgress(
            "A request with this Idempotency-Key started at the same time; retry to get its answer."
        )
    return claim.record_id
