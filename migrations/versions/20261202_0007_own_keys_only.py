"""workspace policy: "own keys only" (the platform's hosted keys are never used)

Revision ID: 0007_own_keys_only
Revises: 0006_live_calls
Create Date: 2026-12-02 07:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_own_keys_only"
down_revision: str | None = "0006_live_calls"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "workspace_policies",
        sa.Column("own_keys_only", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.alter_column("workspace_policies", "own_keys_only", server_default=None)


def downgrade() -> None:
    op.drop_column("workspace_policies", "own_keys_only")
