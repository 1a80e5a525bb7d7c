"""model catalogue per key and members' default models (slot)

Revision ID: 0012_model_catalogue
Revises: 0011_attachments
Create Date: 2026-12-02 15:00:00
"""

from collections.abc import Sequence

revision: str = "0012_model_catalogue"
down_revision: str | None = "0011_attachments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
