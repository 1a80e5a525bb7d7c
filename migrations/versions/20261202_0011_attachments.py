"""attachments stored in PostgreSQL

Revision ID: 0011_attachments
Revises: 0010_presets
Create Date: 2026-12-02 12:30:00
"""

from collections.abc import Sequence

revision: str = "0011_attachments"
down_revision: str | None = "0010_presets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
