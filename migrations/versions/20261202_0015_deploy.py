"""deployment (slot, may stay empty)

Revision ID: 0015_deploy
Revises: 0014_sign_in
Create Date: 2026-12-02 15:00:00
"""

from collections.abc import Sequence

revision: str = "0015_deploy"
down_revision: str | None = "0014_sign_in"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
