"""conversation settings (system prompt, parameters) and workspace presets

Revision ID: 0010_presets
Revises: 0009_organise
Create Date: 2026-12-02 12:30:00
"""

from collections.abc import Sequence

revision: str = "0010_presets"
down_revision: str | None = "0009_organise"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
