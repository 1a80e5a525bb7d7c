"""pins, archive and filters for conversations

Revision ID: 0009_organise
Revises: 0008_search
Create Date: 2026-12-02 12:30:00
"""

from collections.abc import Sequence

revision: str = "0009_organise"
down_revision: str | None = "0008_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
