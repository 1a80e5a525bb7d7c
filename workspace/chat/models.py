"""Tables of the chat domain: conversations, their message tree, compare runs and votes.

Messages form a tree through ``parent_id``: editing a user message or regenerating an answer adds
a sibling, and ``Conversation.current_leaf_id`` says which branch the conversation shows.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from workspace.db.columns import TZ, utcnow

VISIBILITIES = ("private", "shared")
ROLES = ("system", "user", "assistant", "tool")
MESSAGE_STATUSES = ("streaming", "complete", "incomplete", "error")
COMPARE_STATUSES = ("running", "done")
IDEMPOTENCY_STATUSES = ("running", "done")
IDEMPOTENCY_KEY_MAX = 200


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Conversation(SQLModel, table=True):
    __tablename__ = "conversations"
    __table_args__ = (
        sa.Index("ix_conversations_ws_updated", "workspace_id", "updated_at"),
        sa.CheckConstraint(_one_of("visibility", VISIBILITIES), name="ck_conversations_visibility"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE")
    project_id: uuid.UUID | None = Field(
        default=None, foreign_key="projects.id", ondelete="SET NULL", index=True
    )
    title: str = Field(default="", max_length=200)
    created_by: uuid.UUID = Field(foreign_key="users.id")
    visibility: str = Field(default="private", max_length=16)
    # No foreign key: the leaf and the messages reference each other; the service keeps it valid.
    current_leaf_id: uuid.UUID | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_type=TZ)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=TZ)
    # Archived for everyone who can see it: out of the sidebar and the default list, not deleted.
    archived_at: datetime | None = Field(default=None, sa_type=TZ)


class ConversationPin(SQLModel, table=True):
    """A conversation one member keeps at the top of their own sidebar (pins are per member)."""

    __tablename__ = "conversation_pins"

    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    conversation_id: uuid.UUID = Field(
        foreign_key="conversations.id", ondelete="CASCADE", primary_key=True, index=True
    )
    pinned_at: datetime = Field(default_factory=utcnow, sa_type=TZ)


class ChatMessage(SQLModel, table=True):
    """One node of the tree. Assistant messages also record who answered, how, and at what cost."""

    __tablename__ = "chat_messages"
    __table_args__ = (
        sa.CheckConstraint(_one_of("role", ROLES), name="ck_chat_messages_role"),
        sa.CheckConstraint(_one_of("status", MESSAGE_STATUSES), name="ck_chat_messages_status"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    conversation_id: uuid.UUID = Field(
        foreign_key="conversations.id", ondelete="CASCADE", index=True
    )
    parent_id: uuid.UUID | None = Field(
        default=None, foreign_key="chat_messages.id", ondelete="CASCADE", index=True
    )
    role: str = Field(max_length=16)
    parts: list[dict[str, object]] = Field(
        default_factory=list, sa_column=sa.Column(JSONB, nullable=False)
    )
    author_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    provider: str | None = Field(default=None, max_length=64)
    model: str | None = Field(default=None, max_length=200)
    key_source: str | None = Field(default=None, max_length=16)
    input_tokens: int | None = Field(default=None)
    output_tokens: int | None = Field(default=None)
    latency_ms: int | None = Field(default=None)
    first_token_ms: int | None = Field(default=None)
    finish_reason: str | None = Field(default=None, max_length=32)
    status: str = Field(default="complete", max_length=16)
    error_code: str | None = Field(default=None, max_length=64)
    # The adapter's sentence for a failed answer (never holds a key: adapters scrub at source).
    error_message: str | None = Field(default=None, sa_type=sa.Text)
    # Set when a BYOK key failed and the platform key answered instead (shown on the message).
    fallback_from: str | None = Field(default=None, max_length=16)
    fallback_reason: str | None = Field(default=None, max_length=64)
    cost_usd_micros: int = Field(default=0, sa_type=sa.BigInteger)
    # When the streamed text was last written; a 'streaming' answer with no live call and an
    # old checkpoint belonged to a process that died (see workspace.chat.recovery).
    checkpoint_at: datetime | None = Field(default=None, sa_type=TZ)
    credits_charged: int = Field(default=0, sa_type=sa.BigInteger)
    # The conversation's sampling parameters this provider does not take (said on the answer).
    ignored_parameters: list[str] = Field(
        default_factory=list,
        sa_column=sa.Column(JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    )
    # No foreign key: compare runs point at their user message; lanes only need to be grouped.
    compare_id: uuid.UUID | None = Field(default=None, index=True)
    lane: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_type=TZ)


class CompareRun(SQLModel, table=True):
    """One prompt sent to several models at once; each lane's answer is a sibling message."""

    __tablename__ = "compare_runs"
    __table_args__ = (
        sa.CheckConstraint(_one_of("status", COMPARE_STATUSES), name="ck_compare_runs_status"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE", index=True)
    conversation_id: uuid.UUID = Field(
        foreign_key="conversations.id", ondelete="CASCADE", index=True
    )
    user_message_id: uuid.UUID = Field(foreign_key="chat_messages.id", ondelete="CASCADE")
    models: list[str] = Field(default_factory=list, sa_column=sa.Column(JSONB, nullable=False))
    blind: bool = Field(default=False)
    status: str = Field(default="running", max_length=16)
    chosen_lane: int | None = Field(default=None)
    created_by: uuid.UUID = Field(foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=TZ)


class CompareVote(SQLModel, table=True):
    """The verdict on one compare: a lane index (as text), ``tie`` or ``both_bad``."""

    __tablename__ = "compare_votes"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    compare_id: uuid.UUID = Field(
        sa_column=sa.Column(
            sa.Uuid(),
            sa.ForeignKey("compare_runs.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        )
    )
    voter_id: uuid.UUID = Field(foreign_key="users.id")
    winner: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=TZ)


class ChatIdempotency(SQLModel, table=True):
    """A message or compare request seen under an ``Idempotency-Key``, and what it produced."""

    __tablename__ = "chat_idempotency"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "key", name="uq_chat_idempotency_user_key"),
        sa.CheckConstraint(
            _one_of("status", IDEMPOTENCY_STATUSES), name="ck_chat_idempotency_status"
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE")
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    key: str = Field(max_length=IDEMPOTENCY_KEY_MAX)
    request_hash: str = Field(max_length=64)
    status: str = Field(default="running", max_length=16)
    conversation_id: uuid.UUID = Field(foreign_key="conversations.id", ondelete="CASCADE")
    compare_id: uuid.UUID | None = Field(default=None)
    message_ids: list[str] = Field(default_factory=list, sa_column=sa.Column(JSONB, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=TZ)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=TZ)


class LiveCall(SQLModel, table=True):
    """A model call in flight, leased by the process streaming it.

    The process renews ``lease_until`` while it streams; the row is deleted in the same
    transaction that accounts the call (usage event, hold settled). A row whose lease ran out
    belongs to a dead process: :mod:`workspace.chat.recovery` accounts it from the checkpointed
    text, closes its message as ``incomplete`` and finishes its idempotency claim.
    """

    __tablename__ = "live_calls"
    __table_args__ = (
        sa.Index("ix_live_calls_lease_until", "lease_until"),
        sa.Index("ix_live_calls_instance_id", "instance_id"),
    )

    message_id: uuid.UUID = Field(primary_key=True)
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE")
    user_id: uuid.UUID
    # None for a gateway call nobody asked to record: its lease has no message to close.
    conversation_id: uuid.UUID | None = Field(default=None)
    model_ref: str = Field(max_length=200)
    key_source: str = Field(max_length=16)
    input_tokens: int
    hold_id: uuid.UUID | None = Field(default=None)
    hold_credits: int = Field(default=0, sa_type=sa.BigInteger)
    hold_key: str | None = Field(default=None, max_length=200)
    idempotency_id: uuid.UUID | None = Field(default=None)
    compare_id: uuid.UUID | None = Field(default=None)
    instance_id: uuid.UUID
    lease_until: datetime = Field(sa_type=TZ)
    created_at: datetime = Field(default_factory=utcnow, sa_type=TZ)
