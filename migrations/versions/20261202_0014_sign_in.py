"""single sign-on and two-factor (slot)

Revision ID: 0014_sign_in
Revises: 0013_gateway_tokens
Create Date: 2026-12-02 15:00:00
"""

from collections.abc import Sequence

revision: str = "0014_sign_in"
down_revision: str | None = "0013_gateway_tokens"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
