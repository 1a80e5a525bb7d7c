"""One model call, end to end: policy, key resolution, budgets, the adapter stream, usage, charge.

Chat and compare call :func:`start_call` and iterate :meth:`ModelCall.events`. Everything that
decides *whose key* and *who pays* happens in :func:`start_call`, before the first byte is
streamed, and raises a problem (no key, model not allowed, budget, credits) instead. Usage and the
credit charge are written once the stream ends, whether it finished, failed or was cancelled;
then only what was generated is charged.

BYOK calls (request, personal, workspace keys) are charged zero credits. Platform calls hold the
worst case of their cost up front (input bounded by its bytes, output by the ``max_tokens`` cap
they are sent with; see :mod:`workspace.billing.holds`), so concurrent calls can never overdraw,
and settle to the real cost afterwards, once per idempotency key: the settlement only gives back,
so the credits charged always equal the recorded cost.

If a BYOK key fails with invalid credentials or a rate limit before any text, and the workspace
policy says ``fallback``, the call moves to the platform key (charged) and yields a
:class:`FallbackNotice` first, so the client can show it.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from anyio import CancelScope
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import (
    ChatRequest,
    Credential,
    ErrorEvent,
    Finish,
    InvalidCredentials,
    ModelInfo,
    Provider,
    RateLimited,
    StreamEvent,
    TextDelta,
    Usage,
)
from workspace.audit.actions import AuditAction
from workspace.audit.service import Actor, record
from workspace.billing import budgets, holds, ledger, plans
from workspace.billing.usage import UsageRecord, estimated_tokens, usage_insert
from workspace.calls import checks
from workspace.calls.prefetch import Prefetch
from workspace.calls.request import CallOutcome, CallRequest, FallbackNotice
from workspace.db.writes import Write, as_one, execute, write_at_once
from workspace.keys import service as key_service
from workspace.keys.listing import find_model, price_known
from workspace.keys.policy import platform_permitted, require_allowed
from workspace.keys.resolution import KeySource, load_platform_key, resolve
from workspace.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass
class ModelCall:
    """A resolved call: which model, whose key; iterate :meth:`events` exactly once."""

    runtime: Runtime
    request: CallRequest
    provider: Provider
    model: ModelInfo
    key_source: KeySource
    credential: Credential
    credential_id: uuid.UUID | None = None
    fallback: FallbackNotice | None = None
    outcome: CallOutcome = field(default_factory=CallOutcome)
    max_output_tokens: int | None = None
    # Writes made with the usage event and the charge (atomically), so what the caller tracks
    # about the call in flight (chat's live-call row, its answer) ends exactly then.
    accounted_writes: Callable[[], Sequence[Write]] | None = None
    # Runs inside the transaction that takes a fallback's platform hold, so the caller's
    # record of the call (chat's lease) carries the hold from the moment it exists.
    on_platform_hold: Callable[[AsyncSession, ledger.Hold], Awaitable[None]] | None = None
    # The credits held for this call (platform key), until the accounting settles them.
    hold: ledger.Hold | None = None
    # The reader delivers a whole answer before its account (see :meth:`account_delivered`).
    account_after_delivery: bool = False
    _fallback_allowed: bool = False
    _prefetch: Prefetch | None = None

    def _chat(self) -> ChatRequest:
        return ChatRequest(
            model=self.model.id,
            messages=self.request.messages,
            tools=self.request.tools,
            max_output_tokens=self.max_output_tokens,
            temperature=self.request.temperature,
            top_p=self.request.top_p,
        )

    def ignored_parameters(self) -> tuple[str, ...]:
        """The request's sampling parameters this provider does not send (see adapters)."""
        return self.provider.ignored_parameters(self._chat())

    def send_now(self) -> None:
        """Send the request to the provider now, before :meth:`events` reads it (the caller
        writes its records meanwhile); unread for ``call_unread_s``, it is cancelled."""
        stream = self.provider.stream(self._chat(), self.credential)
        self._prefetch = Prefetch(stream, self.runtime.settings.call_unread_s)

    def cancel_send(self) -> None:
        """The caller gave up before reading (:meth:`send_now`): end the provider request."""
        if self._prefetch is not None:
            self._prefetch.cancel()

    def buffered(self) -> bool:
        """The provider's next event (or its end) is already read (:meth:`Prefetch.buffered`);
        false for a stream that was not sent ahead."""
        return self._prefetch is not None and self._prefetch.buffered()

    async def events(self) -> AsyncIterator[StreamEvent | FallbackNotice]:
        started = self._prefetch.started if self._prefetch else time.monotonic()
        try:
            async for event in self._stream(started):
                yield event
            self.outcome.read_to_end = True
        finally:
            self.outcome.latency_ms = int((time.monotonic() - started) * 1000)
            if not (self.outcome.read_to_end and self.account_after_delivery):
                with CancelScope(shield=True):
                    # A reader whose consumer runs in another task (chat's stream) has handed
                    # it the last words: they go out before this builds and sends its write.
                    await asyncio.sleep(0)
                    await self._account()

    async def account_delivered(self) -> None:
        """Account a call read to its end whose reader asked to deliver the answer first
        (:attr:`account_after_delivery`): the client is not kept waiting for the write. Until
        it runs, the caller's lease on the call stands for it (the sweep accounts it if the
        process dies). A call cut short was accounted at once; then this does nothing."""
        if self.outcome.read_to_end and not self.outcome.accounted:
            try:
                await self._account()
            except Exception as exc:  # an outage: the answer was delivered, the lease stands
                log.warning(
                    "could not account a delivered call (%s); the sweep will", type(exc).__name__
                )

    async def _stream(self, started: float) -> AsyncIterator[StreamEvent | FallbackNotice]:
        first = self._prefetch
        stream = first.events() if first else self.provider.stream(self._chat(), self.credential)
        async for event in stream:
            if (
                isinstance(event, ErrorEvent)
                and not self.outcome.text
                and isinstance(event.error, InvalidCredentials | RateLimited)
                and await self._switch_to_platform(event.error.code)
            ):
                assert self.fallback is not None
                self._prefetch = None  # the retry is not read ahead: nothing is buffered
                yield self.fallback
                async for retry_event in self._observe(
                    self.provider.stream(self._chat(), self.credential), started
                ):
                    yield retry_event
                return
            async for observed in self._observe(_one(event), started):
                yield observed

    async def _observe(
        self, stream: AsyncIterator[StreamEvent], started: float
    ) -> AsyncIterator[StreamEvent]:
        async for event in stream:
            if isinstance(event, TextDelta):
                if self.outcome.first_token_ms is None:
                    self.outcome.first_token_ms = int((time.monotonic() - started) * 1000)
                self.outcome.text += event.text
            elif isinstance(event, Usage):
                self.outcome.usage = event
            elif isinstance(event, Finish):
                self.outcome.finish_reason = event.reason
            elif isinstance(event, ErrorEvent):
                self.outcome.error_code = event.error.code
                self.outcome.error_message = str(event.error)
            yield event

    async def _switch_to_platform(self, reason: str) -> bool:
        if not self._fallback_allowed or self.key_source in ("platform",):
            return False
        runtime, member = self.runtime, self.request.member
        async with runtime.sessionmaker() as session:
            if not await plans.platform_allowed_for(session, member.workspace_id):
                return False
            try:
                credential = await load_platform_key(runtime.secrets, self.provider.id)
            except LookupError:
                return False
            self.max_output_tokens, self.hold = await _reserve(
                session, runtime, self.request, self.model
            )
            if self.on_platform_hold is not None:
                await self.on_platform_hold(session, self.hold)
            await session.commit()  # streaming is background work: its own transaction
        self.fallback = FallbackNotice(self.key_source, reason)
        self.key_source, self.credential, self.credential_id = "platform", credential, None
        return True

    async def _account(self) -> None:
        """Write the usage event (with the caller's :attr:`accounted_writes`) and settle the
        hold: after the stream, never during it.

        Own keys and no budget: one autocommitted statement, one round trip (the hot path). A
        hold to settle or a budget to check reads what was written: one transaction."""
        outcome, usage = self.outcome, self.outcome.usage
        if usage is None:
            # Cut short before the provider reported usage: estimate what was generated.
            usage = Usage(
                input_tokens=estimated_tokens(*(m.text() for m in self.request.messages)),
                output_tokens=estimated_tokens(outcome.text),
            )
        outcome.cost_usd_micros = plans.cost_usd_micros(
            self.model, usage.input_tokens, usage.output_tokens
        )
        platform = self.key_source == "platform"
        credits = plans.credits_for_micros(outcome.cost_usd_micros) if platform else 0
        event = self._usage_record(usage, credits)
        writes: list[Write] = [usage_insert(event)]
        marked = key_service.mark_used(self.credential_id) if self.credential_id else None
        if marked is not None:
            writes.append(marked)
        member = self.request.member
        async with self.runtime.sessionmaker() as session:
            limits = await checks.budget_limits(
                session, self.runtime, member.workspace_id, member.principal.user_id
            )
            if self.hold is None and not limits and not session.in_transaction():
                await write_at_once(session, [*writes, *self._callers_writes()])
            else:
                await execute(session, as_one(writes))
                if self.hold is not None:
                    outcome.credits_charged = await ledger.settle(
                        session, self.hold, credits, event.id
                    )
                await self._note_budget(session, limits)
                # After the settlement: the caller's record carries the credits charged.
                if callers := self._callers_writes():
                    await execute(session, as_one(callers))
                await session.commit()
        outcome.accounted = True

    def _callers_writes(self) -> Sequence[Write]:
        return self.accounted_writes() if self.accounted_writes is not None else ()

    def _usage_record(self, usage: Usage, credits: int) -> UsageRecord:
        outcome, member = self.outcome, self.request.member
        status = (
            "error"
            if outcome.error_code
            else ("complete" if outcome.finish_reason else "incomplete")
        )
        return UsageRecord(
            workspace_id=member.workspace_id,
            user_id=member.principal.user_id,
            conversation_id=self.request.conversation_id,
            provider=self.provider.id,
            model=self.model.id,
            key_source=self.key_source,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cached_tokens=usage.cached_tokens,
            latency_ms=outcome.latency_ms or 0,
            cost_usd=outcome.cost_usd_micros / plans.MICROS_PER_USD,
            credits=credits,
            status=status,
            fallback=self.fallback is not None,
            price_unknown=not price_known(self.model),
        )

    async def _note_budget(self, session: AsyncSession, limits: list[tuple[str, int]]) -> None:
        """A budget this call went over is enforced from the next call on (check_budgets refuses
        it); the audit log says when."""
        member = self.request.member
        cost = self.outcome.cost_usd_micros / plans.MICROS_PER_USD
        ws, user = member.workspace_id, member.principal.user_id
        crossed = await budgets.over_budget_after(
            session, ws, user, plans.usd_to_micros(cost), limits
        )
        if crossed:
            await record(
                session,
                Actor(member.principal.user_id, None),
                AuditAction.BUDGET_EXCEEDED,
                target_type="workspace",
                target_id=member.workspace_id,
                workspace_id=member.workspace_id,
                details={"budget": crossed},
            )


async def _one(event: StreamEvent) -> AsyncIterator[StreamEvent]:
    yield event


async def _reserve(
    session: AsyncSession, runtime: Runtime, request: CallRequest, model: ModelInfo
) -> tuple[int, ledger.Hold]:
    """Cap the call's output and hold its worst-case cost (see :mod:`workspace.billing.holds`).

    The same idempotency key never holds twice. Returns the output cap the call must be sent with.
    """
    settings, member = runtime.settings, request.member
    cap = holds.output_cap(model, request.max_output_tokens, settings.platform_max_output_tokens)
    credits = holds.hold_credits(model, request.messages, cap)
    key = request.idempotency_key or uuid.uuid4().hex
    ws, user = member.workspace_id, member.principal.user_id
    hold_key = f"call:{ws}:{user}:{request.model_ref}:{key}"
    return cap, await ledger.reserve(session, ws, credits, hold_key)


async def start_call(
    runtime: Runtime, request: CallRequest, session: AsyncSession | None = None
) -> ModelCall:
    """Resolve model and key; check policy, budgets, credits. Raises a problem before streaming.

    Given the request's ``session``, the checks and the credit hold join its unit of work (one
    connection, committed with the user's message); without one the call takes a transaction of
    its own.
    """
    if session is not None:
        return await _start(runtime, request, session)
    async with runtime.sessionmaker() as own:
        call = await _start(runtime, request, own)
        await own.commit()
        return call


async def _start(runtime: Runtime, request: CallRequest, session: AsyncSession) -> ModelCall:
    member = request.member
    key = request.request_key
    request_secret = key.secret_for(request.model_ref) if key else None
    # A model only the provider's own list knows resolves through the paying key's listing.
    provider, model = await find_model(session, runtime, member, request.model_ref, request_secret)
    ws, user = member.workspace_id, member.principal.user_id
    policy = await checks.key_policy(session, runtime, ws)
    require_allowed(policy, model)
    limits = await checks.budget_limits(session, runtime, ws, user)
    await budgets.check_budgets(session, ws, user, limits)
    platform_ok = platform_permitted(policy, await checks.platform_allowed(session, runtime, ws))
    resolved = await resolve(
        session,
        runtime.engine,
        runtime.secrets,
        policy=policy,
        user_id=member.principal.user_id,
        provider=provider.id,
        request_key=request_secret,
        platform_allowed=platform_ok,
        cache=runtime.live_lookups(),
    )
    cap, hold = request.max_output_tokens, None
    if resolved.source == "platform":
        cap, hold = await _reserve(session, runtime, request, model)
    return ModelCall(
        runtime,
        request,
        provider,
        model,
        resolved.source,
        resolved.credential,
        credential_id=resolved.credential_id,
        max_output_tokens=cap,
        hold=hold,
        _fallback_allowed=policy.byok_failure == "fallback" and not policy.own_keys_only,
    )
