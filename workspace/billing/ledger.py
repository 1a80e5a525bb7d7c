"""The credit ledger: grants, holds and settlements, each once per idempotency key.

Every movement is a row in ``credit_ledger`` (append-only) and, in the same transaction, a change
of the workspace's row in ``credit_balances``. That row is locked ``FOR UPDATE`` first, so
concurrent charges of one workspace queue behind each other and none can take the balance below
its floor (a check constraint enforces it once more). Functions here flush but never commit: the
caller commits, so a charge and the usage event it pays for land together.

A platform-key call holds the worst case of its cost up front with :func:`reserve` (see
:mod:`workspace.billing.holds`) and, once its real cost is known, :func:`settle` returns the
unused part. Should a provider ever bill beyond the hold, the extra is charged only down to the
floor, the rest is written off, the usage event says what was really charged, and a warning is
logged.

The plan's monthly allowance is granted lazily, on the first :func:`balance` or :func:`reserve`
of a calendar month (UTC), under the key ``grant:<workspace>:<YYYY-MM>``. Unused credits roll over.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.billing.models import (
    IDEMPOTENCY_KEY_MAX,
    CreditBalance,
    CreditLedgerEntry,
    UsageEvent,
)
from workspace.billing.plans import plan_of
from workspace.db.columns import utcnow
from workspace.errors import AppError, IdempotencyKeyReused

log = logging.getLogger(__name__)


class CreditsExhausted(AppError):
    code = "credits_exhausted"


@dataclass(frozen=True)
class Hold:
    """Credits taken from a balance for one call until :func:`settle` knows its real cost."""

    id: uuid.UUID
    workspace_id: uuid.UUID
    credits: int
    idempotency_key: str


def ledger_key(key: str) -> str:
    """The stored form of an idempotency key: itself, or its SHA-256 when too long to store."""
    if not key:
        raise ValueError("an idempotency key must not be empty")
    if len(key) <= IDEMPOTENCY_KEY_MAX:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def monthly_grant_key(workspace_id: uuid.UUID, when: datetime | None = None) -> str:
    """The idempotency key of the plan allowance for the calendar month (UTC) of ``when``."""
    return f"grant:{workspace_id}:{(when or utcnow()):%Y-%m}"


async def _entry(session: AsyncSession, key: str) -> CreditLedgerEntry | None:
    stmt = select(CreditLedgerEntry).where(CreditLedgerEntry.idempotency_key == key)
    return (await session.exec(stmt)).first()


async def _locked_balance(session: AsyncSession, workspace_id: uuid.UUID) -> CreditBalance:
    """The workspace's balance row, created at 0 if missing, locked until the transaction ends."""
    await session.execute(
        pg_insert(CreditBalance)
        .values(workspace_id=workspace_id, balance=0, floor=0, updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=["workspace_id"])
    )
    stmt = (
        select(CreditBalance)
        .where(CreditBalance.workspace_id == workspace_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.exec(stmt)).one()


def _append(
    session: AsyncSession,
    row: CreditBalance,
    kind: str,
    amount: int,
    key: str,
    usage_event_id: uuid.UUID | None = None,
) -> CreditLedgerEntry:
    entry = CreditLedgerEntry(
        workspace_id=row.workspace_id,
        amount=amount,
        kind=kind,
        idempotency_key=key,
        usage_event_id=usage_event_id,
    )
    session.add(entry)
    row.balance += amount
    row.updated_at = utcnow()
    session.add(row)
    return entry


def _same_operation(entry: CreditLedgerEntry, workspace_id: uuid.UUID, kind: str) -> None:
    if entry.workspace_id != workspace_id or entry.kind != kind:
        raise IdempotencyKeyReused("This idempotency key was already used for another operation.")


async def _grant_locked(
    session: AsyncSession, row: CreditBalance, amount: int, key: str, kind: str = "grant"
) -> None:
    existing = await _entry(session, key)
    if existing is not None:
        _same_operation(existing, row.workspace_id, kind)
        return
    _append(session, row, kind, amount, key)
    await session.flush()


async def grant(
    session: AsyncSession, workspace_id: uuid.UUID, amount: int, idempotency_key: str
) -> None:
    """Add ``amount`` credits once per idempotency key."""
    if amount <= 0:
        raise ValueError("a grant must be positive")
    row = await _locked_balance(session, workspace_id)
    await _grant_locked(session, row, amount, ledger_key(idempotency_key))


async def refund(
    session: AsyncSession, workspace_id: uuid.UUID, amount: int, idempotency_key: str
) -> None:
    """Give ``amount`` credits back (support, a disputed call) once per idempotency key."""
    if amount <= 0:
        raise ValueError("a refund must be positive")
    row = await _locked_balance(session, workspace_id)
    await _grant_locked(session, row, amount, ledger_key(idempotency_key), kind="refund")


async def _ensure_grant_locked(session: AsyncSession, row: CreditBalance) -> bool:
    key = monthly_grant_key(row.workspace_id)
    if await _entry(session, key) is not None:
        return False
    plan = await plan_of(session, row.workspace_id)
    if plan.monthly_credits <= 0:
        return False
    _append(session, row, "grant", plan.monthly_credits, key)
    await session.flush()
    return True


async def ensure_monthly_grant(session: AsyncSession, workspace_id: uuid.UUID) -> bool:
    """Grant the plan's allowance for this month if not yet granted; True if it was granted now."""
    if await _entry(session, monthly_grant_key(workspace_id)) is not None:
        return False  # the common case: no lock taken
    row = await _locked_balance(session, workspace_id)
    return await _ensure_grant_locked(session, row)


async def balance(session: AsyncSession, workspace_id: uuid.UUID) -> int:
    """The workspace's credit balance, after this month's allowance (commit to keep the grant)."""
    await ensure_monthly_grant(session, workspace_id)
    return (await balance_row(session, workspace_id)).balance


async def balance_as_granted(session: AsyncSession, workspace_id: uuid.UUID) -> CreditBalance:
    """Balance and floor as they will be once this month's allowance is granted, read-only.

    Pages and GET routes show this: the grant itself is written by the first call of the month
    (:func:`reserve`) or by :func:`ensure_monthly_grant`, never by a read.
    """
    row = await balance_row(session, workspace_id)
    if await _entry(session, monthly_grant_key(workspace_id)) is None:
        plan = await plan_of(session, workspace_id)
        return CreditBalance(
            workspace_id=workspace_id,
            balance=row.balance + max(plan.monthly_credits, 0),
            floor=row.floor,
        )
    return row


async def balance_row(session: AsyncSession, workspace_id: uuid.UUID) -> CreditBalance:
    """Balance and floor as stored (no grant, no lock); a workspace without a row has 0 and 0."""
    stmt = (
        select(CreditBalance)
        .where(CreditBalance.workspace_id == workspace_id)
        .execution_options(populate_existing=True)
    )
    row = (await session.exec(stmt)).first()
    return row or CreditBalance(workspace_id=workspace_id, balance=0, floor=0)


async def reserve(
    session: AsyncSession, workspace_id: uuid.UUID, credits: int, idempotency_key: str
) -> Hold:
    """Take ``credits`` from the balance for one call, or raise :class:`CreditsExhausted`.

    The same idempotency key returns the existing hold and charges nothing more.
    """
    if credits < 0:
        raise ValueError("a hold cannot be negative")
    key = ledger_key(idempotency_key)
    row = await _locked_balance(session, workspace_id)
    existing = await _entry(session, key)
    if existing is not None:
        _same_operation(existing, workspace_id, "hold")
        return Hold(existing.id, workspace_id, -existing.amount, key)
    await _ensure_grant_locked(session, row)
    available = row.balance - row.floor
    if credits > available:
        raise CreditsExhausted(
            f"This workspace has {max(available, 0)} credits left (balance {row.balance}); "
            f"a call on the platform key needs {credits}. Add your own key or wait for next "
            "month's allowance.",
            extra={"balance": row.balance, "available": max(available, 0), "needed": credits},
        )
    entry = _append(session, row, "hold", -credits, key)
    await session.flush()
    return Hold(entry.id, workspace_id, credits, key)


async def settle(
    session: AsyncSession, hold: Hold, actual_credits: int, usage_event_id: uuid.UUID | None
) -> int:
    """Settle ``hold`` at the call's real cost; returns the credits finally charged for the call.

    Returns the unused part of the hold, or charges the extra only down to the floor. Once per
    hold: settling again returns the first answer. When the charge differs from what the usage
    event says (the extra did not fit), the event's credits are corrected to the charge, so the
    ledger's charges always equal the usage events' credits.
    """
    key = ledger_key(f"settle:{hold.id}")
    row = await _locked_balance(session, hold.workspace_id)
    existing = await _entry(session, key)
    if existing is not None:
        _same_operation(existing, hold.workspace_id, "settle")
        if usage_event_id is not None and usage_event_id != existing.usage_event_id:
            # A replay of an already-settled call (same idempotency key): it charges nothing.
            await session.execute(
                sa.update(UsageEvent).where(col(UsageEvent.id) == usage_event_id).values(credits=0)
            )
            return 0
        return hold.credits - existing.amount
    actual = max(actual_credits, 0)
    amount = hold.credits - actual
    if amount < 0:
        # Holds are upper bounds (workspace.billing.holds), so this means a provider billed
        # beyond them: charge what fits above the floor and say so loudly.
        log.warning("call cost %s credits, above its hold of %s", actual, hold.credits)
        amount = -min(-amount, max(row.balance - row.floor, 0))
    _append(session, row, "settle", amount, key, usage_event_id)
    charged = hold.credits - amount
    if usage_event_id is not None and charged != actual:
        await session.execute(
            sa.update(UsageEvent)
            .where(col(UsageEvent.id) == usage_event_id)
            .values(credits=charged)
        )
    await session.flush()
    return charged


async def recent_entries(
    session: AsyncSession, workspace_id: uuid.UUID, limit: int = 20
) -> Sequence[CreditLedgerEntry]:
    """The workspace's latest ledger rows, newest first."""
    stmt = (
        select(CreditLedgerEntry)
        .where(CreditLedgerEntry.workspace_id == workspace_id)
        .order_by(col(CreditLedgerEntry.created_at).desc(), col(CreditLedgerEntry.id))
        .limit(limit)
    )
    return (await session.exec(stmt)).all()
