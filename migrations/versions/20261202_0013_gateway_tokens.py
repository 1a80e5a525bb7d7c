"""API token scopes, workspace and expiry for the gateway (slot)

Revision ID: 0013_gateway_tokens
Revises: 0012_model_catalogue
Create Date: 2026-12-02 15:00:00

A token may belong to one workspace (the gateway's `/v1/...` routes serve that workspace only,
and the API refuses it elsewhere), has a scope (`models`: `GET /v1/models` only; `api`:
everything) and an optional expiry. Existing tokens keep working as before: scope `api`, no
workspace (an account token, refused by the gateway until one names a workspace), no expiry.

A gateway call that is not recorded as a conversation is still leased (``live_calls``) so a dead
process's call is settled by the sweep: its row has no conversation.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_gateway_tokens"
down_revision: str | None = "0012_model_catalogue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("api_tokens", sa.Column("workspace_id", sa.Uuid(), nullable=True))
    op.add_column(
        "api_tokens",
        sa.Column("scope", sa.String(length=16), server_default="api", nullable=False),
    )
    op.add_column("api_tokens", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    op.create_foreign_key(
        "fk_api_tokens_workspace_id",
        "api_tokens",
        "workspaces",
        ["workspace_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_index("ix_api_tokens_workspace_id", "api_tokens", ["workspace_id"])
    op.create_check_constraint("ck_api_tokens_scope", "api_tokens", "scope IN ('models', 'api')")
    # A gateway call nobody asked to record is leased like a chat answer, without a conversation.
    op.alter_column("live_calls", "conversation_id", existing_type=sa.Uuid(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM live_calls WHERE conversation_id IS NULL")
    op.alter_column("live_calls", "conversation_id", existing_type=sa.Uuid(), nullable=False)
    op.drop_constraint("ck_api_tokens_scope", "api_tokens", type_="check")
    op.drop_index("ix_api_tokens_workspace_id", table_name="api_tokens")
    op.drop_constraint("fk_api_tokens_workspace_id", "api_tokens", type_="foreignkey")
    op.drop_column("api_tokens", "expires_at")
    op.drop_column("api_tokens", "scope")
    op.drop_column("api_tokens", "workspace_id")
