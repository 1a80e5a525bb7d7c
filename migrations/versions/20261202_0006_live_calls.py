"""durable answers: an assistant message exists (status 'streaming') from the first byte, its
text checkpointed; every model call in flight has a leased row so a sweep can recover a call
whose process died (account it, settle its hold, close its message and idempotency claim)

Revision ID: 0006_live_calls
Revises: 0005_credential_labels
Create Date: 2026-12-02 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006_live_calls"
down_revision: str | None = "0005_credential_labels"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_constraint("ck_chat_messages_status", "chat_messages", type_="check")
    op.create_check_constraint(
        "ck_chat_messages_status",
        "chat_messages",
        "status IN ('streaming', 'complete', 'incomplete', 'error')",
    )
    op.add_column(
        "chat_messages", sa.Column("checkpoint_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_table(
        "live_calls",
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("model_ref", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("key_source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("input_tokens", sa.Integer(), nullable=False),
        sa.Column("hold_id", sa.Uuid(), nullable=True),
        sa.Column("hold_credits", sa.BigInteger(), nullable=False),
        sa.Column(
            "hold_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True
        ),
        sa.Column("idempotency_id", sa.Uuid(), nullable=True),
        sa.Column("compare_id", sa.Uuid(), nullable=True),
        sa.Column("instance_id", sa.Uuid(), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("message_id"),
    )
    op.create_index("ix_live_calls_lease_until", "live_calls", ["lease_until"])
    op.create_index("ix_live_calls_instance_id", "live_calls", ["instance_id"])


def downgrade() -> None:
    op.drop_index("ix_live_calls_instance_id", table_name="live_calls")
    op.drop_index("ix_live_calls_lease_until", table_name="live_calls")
    op.drop_table("live_calls")
    op.drop_column("chat_messages", "checkpoint_at")
    op.drop_constraint("ck_chat_messages_status", "chat_messages", type_="check")
    op.create_check_constraint(
        "ck_chat_messages_status", "chat_messages", "status IN ('complete', 'incomplete', 'error')"
    )
