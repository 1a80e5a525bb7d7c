"""Monthly budgets, for a workspace and for each member: checked before a call, enforced after.

A budget counts this calendar month's (UTC) estimated provider cost of *every* call, whatever key
paid for it, BYOK included: a budget caps what the team spends on models, and with its own keys
the team still pays the provider. (Credits are a different thing: BYOK never spends them.)

Before a call, :func:`check_budgets` refuses it when a budget is already used up. A call that
starts under the limit is never cut off mid-stream; afterwards :func:`over_budget_after` says
whether it crossed a limit, so the caller can write a notice, and the next call is refused.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.audit.actions import AuditAction
from workspace.audit.service import Actor, record
from workspace.billing.models import Budget, UsageEvent
from workspace.billing.plans import micros_to_usd as usd
from workspace.db.columns import utcnow
from workspace.errors import AppError, InvalidInput
from workspace.teams.models import Membership


class BudgetExceeded(AppError):
    code = "budget_exceeded"


@dataclass(frozen=True)
class Budgets:
    """A workspace's monthly limits in micro-dollars; None = no limit."""

    workspace: int | None
    members: dict[uuid.UUID, int]


def month_start(now: datetime | None = None) -> datetime:
    """Midnight UTC on the first day of ``now``'s month."""
    now = (now or utcnow()).astimezone(UTC)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


async def month_spend(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    user_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> int:
    """This month's estimated cost in micro-dollars, all key sources; one member's or everyone's."""
    stmt = select(sa.func.coalesce(sa.func.sum(UsageEvent.cost_usd_micros), 0)).where(
        UsageEvent.workspace_id == workspace_id,
        col(UsageEvent.created_at) >= month_start(now),
    )
    if user_id is not None:
        stmt = stmt.where(UsageEvent.user_id == user_id)
    return int((await session.exec(stmt)).one())


async def get_budgets(session: AsyncSession, workspace_id: uuid.UUID) -> Budgets:
    rows = (await session.exec(select(Budget).where(Budget.workspace_id == workspace_id))).all()
    workspace = next((b.monthly_limit_usd_micros for b in rows if b.user_id is None), None)
    members = {b.user_id: b.monthly_limit_usd_micros for b in rows if b.user_id is not None}
    return Budgets(workspace, members)


async def limits_of(
    session: AsyncSession, workspace_id: uuid.UUID, user_id: uuid.UUID
) -> list[tuple[str, int]]:
    """The budgets that apply to one member's call: the workspace's first, then the member's."""
    stmt = select(Budget).where(
        Budget.workspace_id == workspace_id,
        sa.or_(col(Budget.user_id).is_(None), col(Budget.user_id) == user_id),
    )
    rows = (await session.exec(stmt)).all()
    limits = [("workspace", b.monthly_limit_usd_micros) for b in rows if b.user_id is None]
    limits += [("member", b.monthly_limit_usd_micros) for b in rows if b.user_id is not None]
    return limits


async def check_budgets(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    user_id: uuid.UUID,
    limits: list[tuple[str, int]] | None = None,
) -> None:
    """Raise :class:`BudgetExceeded` if this month's spend already reached a budget.

    ``limits``: the budgets that apply, when the caller has them (:func:`limits_of`)."""
    if limits is None:
        limits = await limits_of(session, workspace_id, user_id)
    for scope, limit in limits:
        spent = await month_spend(session, workspace_id, user_id if scope == "member" else None)
        if spent >= limit:
            whose = "The workspace's" if scope == "workspace" else "Your"
            raise BudgetExceeded(
                f"{whose} monthly budget of ${usd(limit):.2f} is used up "
                f"(${usd(spent):.2f} spent this month). An admin can raise it.",
                extra={"budget": scope, "limit_usd": usd(limit), "spent_usd": usd(spent)},
            )


async def over_budget_after(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    user_id: uuid.UUID,
    call_cost_usd_micros: int,
    limits: list[tuple[str, int]] | None = None,
) -> str | None:
    """Which budget (``"workspace"`` or ``"member"``) the call just recorded pushed past, if any.

    Call it after the call's usage event is in ``session``; a budget that was already used up
    before this call is not reported again.
    """
    if limits is None:
        limits = await limits_of(session, workspace_id, user_id)
    for scope, limit in limits:
        spent = await month_spend(session, workspace_id, user_id if scope == "member" else None)
        if spent >= limit > spent - call_cost_usd_micros:
            return scope
    return None


async def set_budgets(
    session: AsyncSession,
    actor: Actor,
    workspace_id: uuid.UUID,
    workspace_limit: int | None,
    members: dict[uuid.UUID, int | None],
) -> Budgets:
    """Replace the workspace's budgets (None or absent = no limit) and audit the change; commits."""
    wanted = {uid: limit for uid, limit in members.items() if limit is not None}
    if any(limit < 0 for limit in wanted.values()) or (workspace_limit or 0) < 0:
        raise InvalidInput("A budget cannot be negative.")
    if wanted:
        stmt = select(Membership.user_id).where(
            Membership.workspace_id == workspace_id, col(Membership.user_id).in_(wanted)
        )
        found = set((await session.exec(stmt)).all())
        strangers = sorted(str(uid) for uid in wanted if uid not in found)
        if strangers:
            raise InvalidInput(
                "Budgets can only be set for members of this workspace.",
                extra={"user_ids": strangers},
            )
    await session.execute(sa.delete(Budget).where(col(Budget.workspace_id) == workspace_id))
    if workspace_limit is not None:
        session.add(Budget(workspace_id=workspace_id, monthly_limit_usd_micros=workspace_limit))
    for uid, limit in wanted.items():
        session.add(Budget(workspace_id=workspace_id, user_id=uid, monthly_limit_usd_micros=limit))
    await record(
        session,
        actor,
        AuditAction.BUDGET_UPDATED,
        target_type="workspace",
        target_id=workspace_id,
        workspace_id=workspace_id,
        details={
            "workspace_monthly_usd": None if workspace_limit is None else usd(workspace_limit),
            "members": {str(uid): usd(limit) for uid, limit in wanted.items()},
        },
    )
    await session.flush()
    return Budgets(workspace_limit, wanted)
