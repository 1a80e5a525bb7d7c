"""model catalogue per key and members' default models

Revision ID: 0012_model_catalogue
Revises: 0011_attachments
Create Date: 2026-12-02 15:00:00

A usage event says when its model had no known price (a model only its provider's own list
knows: tokens recorded, cost 0); each member keeps default models per workspace, overall and per
provider.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012_model_catalogue"
down_revision: str | None = "0011_attachments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "usage_events",
        sa.Column("price_unknown", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.create_table(
        "member_model_defaults",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("overall", sa.String(length=200), nullable=True),
        sa.Column(
            "per_provider",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("workspace_id", "user_id"),
    )


def downgrade() -> None:
    op.drop_table("member_model_defaults")
    op.drop_column("usage_events", "price_unknown")
