"""A gateway call nobody records is leased like a chat answer: if its process dies, the sweep
settles its credit hold and writes its usage, so the platform key is never charged for nothing
and no hold outlives its call."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from adapters import Message, Text
from tests.integration.calls.conftest import member_of
from tests.support import UserClient
from workspace.audit.service import Actor
from workspace.chat.recovery import sweep
from workspace.compat.exchange import Ask, start_exchange
from workspace.runtime import Runtime

HI = (Message("user", (Text("hi"),)),)


async def _live(runtime: Runtime, lease_id: uuid.UUID) -> list[tuple[object, ...]]:
    async with runtime.sessionmaker() as session:
        rows = await session.execute(
            sa.text("SELECT conversation_id, hold_id FROM live_calls WHERE message_id = :id"),
            {"id": lease_id},
        )
        return [tuple(r) for r in rows]


async def test_dead_unrecorded_call_is_settled_by_the_sweep(
    alice: UserClient, runtime: Runtime, platform_openai: None
) -> None:
    ws = await alice.create_workspace("Lease")
    member = member_of(alice, ws)
    async with runtime.sessionmaker() as db:
        exchange = await start_exchange(
            runtime,
            db,
            member,
            Actor(member.principal.user_id, None),
            Ask("openai/gpt-4o-mini", HI),
            request_key=None,
            conversation=None,
        )
        await db.commit()
    assert exchange.lease_id is not None and exchange.call.hold is not None
    [(conversation, hold)] = await _live(runtime, exchange.lease_id)
    assert conversation is None and hold == exchange.call.hold.id
    # The process "dies" before streaming: its lease is no longer renewed and runs out.
    runtime.leases.discard(exchange.lease_id)
    async with runtime.sessionmaker() as session:
        await session.execute(
            sa.text(
                "UPDATE live_calls SET lease_until = now() - interval '1 minute' "
                "WHERE message_id = :id"
            ),
            {"id": exchange.lease_id},
        )
        await session.commit()
    await sweep(runtime)
    assert await _live(runtime, exchange.lease_id) == []
    async with runtime.sessionmaker() as session:
        usage = await session.execute(
            sa.text("SELECT status, credits FROM usage_events WHERE workspace_id = :ws"),
            {"ws": uuid.UUID(ws)},
        )
        [(status, credits)] = usage.all()
        charged = await session.execute(
            sa.text(
                "SELECT coalesce(-sum(amount), 0) FROM credit_ledger "
                "WHERE workspace_id = :ws AND kind IN ('hold', 'settle')"
            ),
            {"ws": uuid.UUID(ws)},
        )
        assert status == "incomplete" and int(charged.scalar_one()) == credits
