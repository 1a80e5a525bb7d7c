"""Recovering model calls whose process died (kill -9, an OOM, a lost node).

Every process renews the lease of the calls it streams (:func:`renew_leases`); a call whose lease
ran out belongs to nobody. :func:`sweep` then does what that process would have done at the end
of the stream, from what it had saved: the usage event and the hold settled for the checkpointed
text (the charge equals the recorded cost, as for every call), the message closed as
``incomplete`` with that text, its compare marked done and its idempotency claim finished, so a
retry replays the stored answer instead of waiting. Rows are taken ``FOR UPDATE SKIP LOCKED``:
replicas sweep side by side without doing the same call twice.

:func:`maintain` runs both on a timer in every app process, and once at start-up; it also
deletes uploads never attached to a message (:func:`sweep_uploads`).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import ProviderError
from workspace.billing import ledger, plans
from workspace.billing.usage import UsageRecord, estimated_tokens, record_usage
from workspace.chat import idempotency
from workspace.chat.models import ChatMessage, CompareRun, LiveCall
from workspace.chat.parts import text_of
from workspace.db.columns import utcnow
from workspace.db.writes import execute
from workspace.files import service as files
from workspace.runtime import Runtime

log = logging.getLogger(__name__)

SWEEP_BATCH = 50
INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class Swept:
    calls: int = 0
    orphans: int = 0


async def renew_leases(runtime: Runtime) -> None:
    """Extend the lease of every call this process is still streaming (one statement)."""
    streaming = list(runtime.leases)
    if not streaming:
        return
    async with runtime.sessionmaker() as session:
        await session.execute(
            sa.update(LiveCall)
            .where(
                col(LiveCall.instance_id) == runtime.instance_id,
                col(LiveCall.message_id).in_(streaming),
            )
            .values(lease_until=utcnow() + timedelta(seconds=runtime.settings.call_lease_s))
        )
        await session.commit()


def _cost_micros(runtime: Runtime, live: LiveCall, output_tokens: int) -> tuple[int, bool]:
    """The call's cost, and whether its model's price is known (a model only its provider's
    own list knows is not in the static catalogue: no price, cost 0)."""
    try:
        _, model = runtime.registry.resolve_model(live.model_ref)
    except ProviderError:
        return 0, False
    known = model.input_price_per_mtok is not None and model.output_price_per_mtok is not None
    return plans.cost_usd_micros(model, live.input_tokens, output_tokens), known


async def _recover(session: AsyncSession, runtime: Runtime, live: LiveCall) -> None:
    message = await session.get(ChatMessage, live.message_id)
    text = text_of(message.parts) if message else ""
    output_tokens = estimated_tokens(text)
    micros, price_known = _cost_micros(runtime, live, output_tokens)
    platform = live.key_source == "platform"
    credits = plans.credits_for_micros(micros) if platform else 0
    provider = live.model_ref.split("/", 1)[0]
    event_id = await record_usage(
        session,
        UsageRecord(
            workspace_id=live.workspace_id,
            user_id=live.user_id,
            conversation_id=live.conversation_id,
            provider=provider,
            model=live.model_ref.split("/", 1)[-1],
            key_source=live.key_source,
            input_tokens=live.input_tokens,
            output_tokens=output_tokens,
            cost_usd=micros / plans.MICROS_PER_USD,
            credits=credits,
            status="incomplete",
            price_unknown=not price_known,
        ),
    )
    charged = 0
    if live.hold_id is not None and live.hold_key is not None:
        hold = ledger.Hold(live.hold_id, live.workspace_id, live.hold_credits, live.hold_key)
        charged = await ledger.settle(session, hold, credits, event_id)
    if message is not None and message.status == "streaming":
        message.status, message.finish_reason = "incomplete", INTERRUPTED
        message.input_tokens, message.output_tokens = live.input_tokens, output_tokens
        message.cost_usd_micros, message.credits_charged = micros, charged
        session.add(message)
    await session.delete(live)
    await session.flush()
    if live.compare_id is not None:
        await session.execute(
            sa.update(CompareRun).where(col(CompareRun.id) == live.compare_id).values(status="done")
        )
    if live.idempotency_id is not None:
        await _finish_claim(session, live)


async def _finish_claim(session: AsyncSession, live: LiveCall) -> None:
    """The retry of a dead request replays what was saved (every lane of a compare)."""
    ids: list[uuid.UUID] = [live.message_id]
    if live.compare_id is not None:
        stmt = select(ChatMessage.id).where(ChatMessage.compare_id == live.compare_id)
        ids = list((await session.exec(stmt)).all())
    assert live.idempotency_id is not None
    await execute(session, idempotency.finished(live.idempotency_id, ids, live.compare_id))


async def _close_orphans(session: AsyncSession, runtime: Runtime) -> int:
    """Answers still ``streaming`` with no live call (accounted, then the process died)."""
    quiet_since = utcnow() - timedelta(seconds=runtime.settings.call_lease_s)
    live = select(LiveCall.message_id).where(LiveCall.message_id == ChatMessage.id)
    result = await session.execute(
        sa.update(ChatMessage)
        .where(
            col(ChatMessage.status) == "streaming",
            col(ChatMessage.checkpoint_at) < quiet_since,
            ~sa.exists(live),
        )
        .values(status="incomplete", finish_reason=INTERRUPTED)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def sweep(runtime: Runtime) -> Swept:
    """Recover every call whose lease ran out; one transaction per call."""
    calls = 0
    while True:
        async with runtime.sessionmaker() as session:
            stmt = (
                select(LiveCall)
                .where(col(LiveCall.lease_until) < utcnow())
                .order_by(col(LiveCall.lease_until))
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            live = (await session.exec(stmt)).first()
            if live is None:
                orphans = await _close_orphans(session, runtime)
                await session.commit()
                return Swept(calls, orphans)
            await _recover(session, runtime, live)
            await session.commit()
            calls += 1
            if calls >= SWEEP_BATCH:
                return Swept(calls, 0)


# Unsent uploads are swept this often; their age limit is the setting.
UPLOAD_SWEEP_EVERY_S = 600.0


async def sweep_uploads(runtime: Runtime) -> int:
    """Delete uploads never attached to a message after
    ``SWITCHBOARD_UNATTACHED_UPLOAD_MAX_AGE_HOURS``; how many went."""
    max_age = timedelta(hours=runtime.settings.unattached_upload_max_age_hours)
    async with runtime.sessionmaker() as session:
        gone = await files.sweep_unattached(session, max_age)
        await session.commit()
    if gone:
        log.info("deleted %s upload(s) never attached to a message", gone)
    return gone


async def maintain(runtime: Runtime) -> None:
    """Renew this process's leases and sweep dead calls, until cancelled (app shutdown)."""
    settings = runtime.settings
    renew_every = settings.call_lease_s / 3
    last_renew = last_sweep = last_uploads = 0.0
    loop = asyncio.get_running_loop()
    while True:
        now = loop.time()
        try:
            if now - last_renew >= renew_every:
                await renew_leases(runtime)
                last_renew = now
            if now - last_sweep >= settings.sweep_interval_s:
                swept = await sweep(runtime)
                last_sweep = now
                if swept.calls or swept.orphans:
                    log.info("recovered %s call(s), closed %s", swept.calls, swept.orphans)
            if now - last_uploads >= UPLOAD_SWEEP_EVERY_S:
                await sweep_uploads(runtime)
                last_uploads = now
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a database outage: try again on the next tick
            log.warning("call maintenance failed: %s", type(exc).__name__)
        await asyncio.sleep(min(renew_every, settings.sweep_interval_s))
