"""chat messages say what happened: the provider's sentence on a failed answer, the fallback
notice, and the answer's cost in micro-dollars (whoever paid)

Revision ID: 0004_message_display
Revises: 0003_chat
Create Date: 2026-12-02 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004_message_display"
down_revision: str | None = "0003_chat"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("chat_messages", sa.Column("error_message", sa.Text(), nullable=True))
    op.add_column(
        "chat_messages",
        sa.Column("fallback_from", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    )
    op.add_column(
        "chat_messages",
        sa.Column("fallback_reason", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )
    op.add_column(
        "chat_messages",
        sa.Column("cost_usd_micros", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.alter_column("chat_messages", "cost_usd_micros", server_default=None)


def downgrade() -> None:
    for column in ("cost_usd_micros", "fallback_reason", "fallback_from", "error_message"):
        op.drop_column("chat_messages", column)
