"""conversation settings (system prompt, parameters) and workspace presets

Revision ID: 0010_presets
Revises: 0009_organise
Create Date: 2026-12-02 12:30:00

A conversation's settings are a row of their own (absent = defaults); presets are per workspace,
private to their owner unless shared. An answer records the sampling parameters its provider
did not take, to say so on it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010_presets"
down_revision: str | None = "0009_organise"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _prompting() -> list[sa.Column[object]]:
    return [
        sa.Column("system_prompt", sa.Text(), nullable=False),
        sa.Column("temperature", sa.Float(), nullable=True),
        sa.Column("top_p", sa.Float(), nullable=True),
        sa.Column("max_output_tokens", sa.Integer(), nullable=True),
    ]


def upgrade() -> None:
    op.add_column(
        "chat_messages",
        sa.Column(
            "ignored_parameters",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
    )
    op.create_table(
        "presets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        *_prompting(),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_presets_ws_owner", "presets", ["workspace_id", "owner_id"])
    op.create_table(
        "conversation_settings",
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        *_prompting(),
        sa.Column("preset_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("conversation_id"),
    )


def downgrade() -> None:
    op.drop_table("conversation_settings")
    op.drop_index("ix_presets_ws_owner", table_name="presets")
    op.drop_table("presets")
    op.drop_column("chat_messages", "ignored_parameters")
