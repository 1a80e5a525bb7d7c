"""One gateway exchange: a canonical request through chat's model call, its events collected.

:func:`start_exchange` runs in the request's unit of work: the optional conversation record, then
:func:`~workspace.calls.gateway.start_call` (model, policy, budgets, key resolution with the
per-request key, credit hold) and, when recorded, the answer's durable start. Anything that
refuses does so here, as an error in the client's format. :meth:`Exchange.events` then streams
the provider's events once; the call accounts itself when they end (usage event, hold settled),
exactly as a chat message does, and a recorded answer gets its final state.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace

from litestar.background_tasks import BackgroundTask
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import (
    Message,
    ProviderError,
    ReasoningDelta,
    StreamEvent,
    ToolSpec,
)
from workspace.audit.service import Actor
from workspace.calls.gateway import ModelCall, start_call
from workspace.calls.request import CallRequest, FallbackNotice, RequestKey
from workspace.chat import attachments
from workspace.chat.outcome import LaneOutcome
from workspace.chat.turns import UnknownModel
from workspace.compat import conversation_log, idempotent
from workspace.compat.caller import (
    CONVERSATION_HEADER,
    KEY_SOURCE_HEADER,
    NEW_CONVERSATION,
    ConversationRef,
)
from workspace.compat.collected import Collected
from workspace.compat.conversation_log import Logged
from workspace.compat.idempotent import Keyed, Replay
from workspace.compat.lease import lease_call
from workspace.runtime import Runtime
from workspace.teams.guards import Member


@dataclass(frozen=True)
class Ask:
    """A gateway request in canonical form, whichever API it came in."""

    model_ref: str
    messages: tuple[Message, ...]
    tools: tuple[ToolSpec, ...] = ()
    max_output_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None


@dataclass
class Exchange:
    """A started call; iterate :meth:`events` (or await :meth:`run`) exactly once."""

    runtime: Runtime
    call: ModelCall
    logged: Logged | None = None
    lease_id: uuid.UUID | None = None
    collected: Collected = field(default_factory=Collected)

    async def events(self) -> AsyncIterator[StreamEvent]:
        """The provider's events (a fallback to the platform key is not part of any format)."""
        lane = LaneOutcome(self.call)
        try:
            async for event in self.call.events():
                if isinstance(event, FallbackNotice):
                    continue
                if isinstance(event, ReasoningDelta):
                    lane.reasoning.append(event.text)
                self.collected.add(event)
                yield event
        except (asyncio.CancelledError, GeneratorExit):
            lane.cancelled = True
            raise
        finally:
            if self.logged is not None:
                await conversation_log.close_answer(
                    self.runtime, self.logged, lane, self.collected.tool_call_parts()
                )
            if self.lease_id is not None:
                self.runtime.leases.discard(self.lease_id)  # accounted: nothing left to renew

    def buffered(self) -> bool:
        """The next event (or the end) is already here, so a frame may wait for it: the end
        of a recorded answer includes its store, which the last frames then wait for."""
        return self.call.buffered()

    def after_delivery(self) -> BackgroundTask | None:
        """A streamed answer nobody records is delivered whole before its account: the usage
        write (and the hold's settlement) runs once the response has ended, as its background
        task, so the client's stream ends without waiting for it. Its lease stands for it
        until then. A recorded answer is stored with its account, before the stream ends."""
        if self.logged is not None:
            return None
        self.call.account_after_delivery = True
        return BackgroundTask(self.call.account_delivered)

    def headers(self) -> dict[str, str]:
        """Whose key pays (a whole answer's: after a fallback, ``platform``) and the recorded
        conversation's id, for the client's next request."""
        headers: dict[str, str] = {KEY_SOURCE_HEADER: self.call.key_source}
        if self.logged is not None:
            headers[CONVERSATION_HEADER] = str(self.logged.conversation_id)
        return headers

    async def run(self) -> Collected:
        async for _ in self.events():
            pass
        return self.collected


def _for_model(runtime: Runtime, ask: Ask) -> tuple[Message, ...]:
    """Images only to a model that reads them (the last message's images: refused otherwise)."""
    try:
        _, model = runtime.registry.resolve_model(ask.model_ref)
    except ProviderError:
        return ask.messages  # a model only its provider's list knows: the call decides
    return attachments.for_model(ask.model_ref, model, ask.messages)


async def start_exchange(
    runtime: Runtime,
    db: AsyncSession,
    member: Member,
    actor: Actor,
    ask: Ask,
    *,
    request_key: RequestKey | None,
    conversation: ConversationRef,
    keyed: Keyed | None = None,
) -> Exchange | Replay:
    """Record (optionally) and start the call in ``db``; raises a problem before any answer.

    With an ``Idempotency-Key`` (``keyed``) the exchange is always recorded, and a key used
    before replays that request's answer instead (:mod:`.idempotent`)."""
    record_id: uuid.UUID | None = None
    if keyed is not None:
        earlier = await idempotent.resume(db, runtime, member, keyed)
        if isinstance(earlier, Replay):
            return earlier
        record_id, conversation = earlier or (None, conversation or NEW_CONVERSATION)
    messages = _for_model(runtime, ask)
    logged = await conversation_log.open_log(
        db, actor, member, conversation, messages, ask.model_ref
    )
    if keyed is not None and logged is not None:
        if record_id is None:
            record_id = await idempotent.claim_new(
                db, runtime, member, keyed, logged.conversation_id
            )
        logged = replace(logged, idempotency_id=record_id)
    request = CallRequest(
        member,
        ask.model_ref,
        messages,
        conversation_id=logged.conversation_id if logged else None,
        request_key=request_key,
        idempotency_key=keyed.key if keyed else None,
        max_output_tokens=ask.max_output_tokens,
        temperature=ask.temperature,
        top_p=ask.top_p,
        tools=ask.tools,
    )
    try:
        call = await start_call(runtime, request, db)
    except ProviderError as exc:
        raise UnknownModel(exc.message, extra={"model": ask.model_ref}) from None
    call.send_now()  # the provider works while the lease (and the record) are written
    try:
        if logged is not None:
            await conversation_log.open_answer(db, runtime, member, logged, call)
            return Exchange(runtime, call, logged)
        return Exchange(runtime, call, lease_id=await lease_call(db, runtime, call))
    except BaseException:
        call.cancel_send()
        raise
