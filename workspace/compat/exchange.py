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
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import (
    ErrorEvent,
    Finish,
    FinishReason,
    Message,
    ProviderError,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    ToolSpec,
    Usage,
)
from workspace.audit.service import Actor
from workspace.calls.gateway import CallRequest, FallbackNotice, ModelCall, RequestKey, start_call
from workspace.chat import attachments
from workspace.chat.outcome import LaneOutcome
from workspace.chat.turns import UnknownModel
from workspace.compat import conversation_log
from workspace.compat.caller import CONVERSATION_HEADER, KEY_SOURCE_HEADER, ConversationRef
from workspace.compat.conversation_log import Logged
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
class ToolCallSoFar:
    """A tool call assembled from its deltas."""

    id: str = ""
    name: str = ""
    arguments: str = ""

    def parsed_arguments(self) -> dict[str, object]:
        try:
            value = json.loads(self.arguments or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


@dataclass
class Collected:
    """Everything the answer said, for a non-streamed response."""

    text: str = ""
    tool_calls: dict[int, ToolCallSoFar] = field(default_factory=dict)
    usage: Usage | None = None
    finish: FinishReason | None = None
    error: ProviderError | None = None

    def add(self, event: StreamEvent) -> None:
        if isinstance(event, TextDelta):
            self.text += event.text
        elif isinstance(event, ToolCallDelta):
            call = self.tool_calls.setdefault(event.index, ToolCallSoFar())
            call.id = event.id or call.id
            call.name = event.name or call.name
            call.arguments += event.arguments_delta
        elif isinstance(event, Usage):
            self.usage = event
        elif isinstance(event, Finish):
            self.finish = event.reason
        elif isinstance(event, ErrorEvent):
            self.error = event.error

    def tool_call_parts(self) -> tuple[ToolCall, ...]:
        """The tools the answer called, as canonical parts, in their order."""
        return tuple(
            ToolCall(call.id, call.name, call.parsed_arguments())
            for _, call in sorted(self.tool_calls.items())
        )


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
) -> Exchange:
    """Record (optionally) and start the call in ``db``; raises a problem before any answer."""
    messages = _for_model(runtime, ask)
    logged = await conversation_log.open_log(
        db, actor, member, conversation, messages, ask.model_ref
    )
    request = CallRequest(
        member,
        ask.model_ref,
        messages,
        conversation_id=logged.conversation_id if logged else None,
        request_key=request_key,
        max_output_tokens=ask.max_output_tokens,
        temperature=ask.temperature,
        top_p=ask.top_p,
        tools=ask.tools,
    )
    try:
        call = await start_call(runtime, request, db)
    except ProviderError as exc:
        raise UnknownModel(exc.message, extra={"model": ask.model_ref}) from None
    if logged is not None:
        await conversation_log.open_answer(db, runtime, member, logged, call)
        return Exchange(runtime, call, logged)
    return Exchange(runtime, call, lease_id=await lease_call(db, runtime, call))
