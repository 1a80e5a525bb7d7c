"""The lease of a gateway call that is not recorded as a conversation.

Like a chat answer's (:mod:`workspace.chat.durable`), it is a ``live_calls`` row written in the
transaction that takes the call's credit hold, renewed while the call streams and deleted in the
transaction that accounts it; if the process dies first, the sweep
(:mod:`workspace.chat.recovery`) writes the usage event and settles the hold. There is no message
to close, so the row names no conversation.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.billing.usage import estimated_tokens
from workspace.calls.gateway import ModelCall
from workspace.chat.durable import end_live, lease_hold
from workspace.chat.models import LiveCall
from workspace.db.columns import utcnow
from workspace.db.writes import new_row, row_insert, write_in_unit
from workspace.runtime import Runtime


async def lease_call(db: AsyncSession, runtime: Runtime, call: ModelCall) -> uuid.UUID:
    """Write the call's lease in ``db`` (with its hold) and renew it from now on."""
    lease_id, hold, member = uuid.uuid4(), call.hold, call.request.member
    lease = new_row(
        LiveCall,
        message_id=lease_id,
        workspace_id=member.workspace_id,
        user_id=member.principal.user_id,
        model_ref=call.request.model_ref,
        key_source=call.key_source,
        input_tokens=estimated_tokens(*(m.text() for m in call.request.messages)),
        hold_id=hold.id if hold else None,
        hold_credits=hold.credits if hold else 0,
        hold_key=hold.idempotency_key if hold else None,
        instance_id=runtime.instance_id,
        lease_until=utcnow() + timedelta(seconds=runtime.settings.call_lease_s),
    )
    # With a hold, in its transaction; alone in the request, one autocommitted statement.
    await write_in_unit(db, [row_insert(LiveCall, lease, "lease_")])
    runtime.leases.add(lease_id)

    call.accounted_writes = lambda: [end_live(lease_id)]
    call.on_platform_hold = lease_hold(lease_id)
    return lease_id
