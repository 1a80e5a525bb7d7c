"""Tables of the billing domain: the credit ledger and balances, usage events, budgets."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from workspace.db.columns import TZ, utcnow

LEDGER_KINDS = ("grant", "hold", "settle", "refund")
KEY_SOURCES = ("request", "personal", "workspace", "platform")
USAGE_STATUSES = ("complete", "incomplete", "error")
IDEMPOTENCY_KEY_MAX = 200


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UsageEvent(SQLModel, table=True):
    """One model call: who, which model, whose key, tokens, estimated cost, credits charged."""

    __tablename__ = "usage_events"
    __table_args__ = (
        sa.Index("ix_usage_events_ws_at", "workspace_id", "created_at"),
        sa.CheckConstraint(_one_of("key_source", KEY_SOURCES), name="ck_usage_events_key_source"),
        sa.CheckConstraint(_one_of("status", USAGE_STATUSES), name="ck_usage_events_status"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE")
    user_id: uuid.UUID = Field(foreign_key="users.id")
    # No foreign key: conversations belong to the chat domain and may be deleted; usage stays.
    conversation_id: uuid.UUID | None = Field(default=None)
    provider: str = Field(max_length=64)
    model: str = Field(max_length=200)
    key_source: str = Field(max_length=16)
    input_tokens: int = Field(default=0, sa_type=sa.BigInteger)
    output_tokens: int = Field(default=0, sa_type=sa.BigInteger)
    cached_tokens: int = Field(default=0, sa_type=sa.BigInteger)
    latency_ms: int = Field(default=0)
    cost_usd_micros: int = Field(default=0, sa_type=sa.BigInteger)
    credits: int = Field(default=0, sa_type=sa.BigInteger)
    status: str = Field(max_length=16)
    fallback: bool = Field(default=False)
    # A model without a known price (only its provider's list knows it): cost_usd_micros is 0.
    price_unknown: bool = Field(
        default=False,
        sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false()),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=TZ)


class CreditLedgerEntry(SQLModel, table=True):
    """One movement of credits; append-only (a trigger refuses UPDATE and direct DELETE).

    ``amount`` is signed: ``+`` grant, ``-`` hold, ``+``/``-`` settle (returns the unused part of a
    hold, or charges the extra), ``+`` refund.
    """

    __tablename__ = "credit_ledger"
    __table_args__ = (
        sa.Index("ix_credit_ledger_ws_at", "workspace_id", "created_at"),
        sa.CheckConstraint(_one_of("kind", LEDGER_KINDS), name="ck_credit_ledger_kind"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE")
    amount: int = Field(sa_type=sa.BigInteger)
    kind: str = Field(max_length=16)
    idempotency_key: str = Field(
        sa_column=sa.Column(sa.String(IDEMPOTENCY_KEY_MAX), nullable=False, unique=True)
    )
    usage_event_id: uuid.UUID | None = Field(default=None, foreign_key="usage_events.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=TZ)


class CreditBalance(SQLModel, table=True):
    """The running balance of one workspace, updated in the same transaction as the ledger.

    The check constraint is the last line of defence: no write can leave it below the floor.
    """

    __tablename__ = "credit_balances"
    __table_args__ = (sa.CheckConstraint("balance >= floor", name="ck_credit_balances_floor"),)

    workspace_id: uuid.UUID = Field(
        foreign_key="workspaces.id", primary_key=True, ondelete="CASCADE"
    )
    balance: int = Field(default=0, sa_type=sa.BigInteger)
    floor: int = Field(default=0, sa_type=sa.BigInteger)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=TZ)


class Budget(SQLModel, table=True):
    """A monthly spending limit: the workspace's (``user_id`` NULL) or one member's."""

    __tablename__ = "budgets"
    __table_args__ = (
        sa.UniqueConstraint(
            "workspace_id", "user_id", name="uq_budgets_ws_user", postgresql_nulls_not_distinct=True
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE")
    user_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="CASCADE")
    monthly_limit_usd_micros: int = Field(sa_type=sa.BigInteger)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=TZ)
