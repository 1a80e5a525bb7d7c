"""API token scopes, workspace and expiry for the gateway (slot)

Revision ID: 0013_gateway_tokens
Revises: 0012_model_catalogue
Create Date: 2026-12-02 15:00:00
"""

from collections.abc import Sequence

revision: str = "0013_gateway_tokens"
down_revision: str | None = "0012_model_catalogue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
