"""pins, archive and filters for conversations

Revision ID: 0009_organise
Revises: 0008_search
Create Date: 2026-12-02 12:30:00

Pins are per member (a row per user and conversation); archiving is per conversation (a
timestamp on it). The model filter reads answers through ``chat_messages.conversation_id``,
already indexed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_organise"
down_revision: str | None = "0008_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "conversations", sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_table(
        "conversation_pins",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("pinned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "conversation_id"),
    )
    op.create_index(
        "ix_conversation_pins_conversation_id", "conversation_pins", ["conversation_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_conversation_pins_conversation_id", table_name="conversation_pins")
    op.drop_table("conversation_pins")
    op.drop_column("conversations", "archived_at")
