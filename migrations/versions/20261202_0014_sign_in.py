"""single sign-on and two-factor

Revision ID: 0014_sign_in
Revises: 0013_gateway_tokens
Create Date: 2026-12-02 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014_sign_in"
down_revision: str | None = "0013_gateway_tokens"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_S = sqlmodel.sql.sqltypes.AutoString
_TZ = sa.DateTime(timezone=True)


def _sso_tables() -> None:
    op.create_table(
        "sso_identities",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("provider", _S(length=64), nullable=False),
        sa.Column("subject", _S(length=255), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("email", _S(length=320), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("last_login_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider", "subject", name="uq_sso_identities_subject"),
    )
    op.create_index(op.f("ix_sso_identities_user_id"), "sso_identities", ["user_id"])
    op.create_table(
        "sso_flows",
        sa.Column("token_hash", _S(length=64), nullable=False),
        sa.Column("provider", _S(length=64), nullable=False),
        sa.Column("state_hash", _S(length=64), nullable=False),
        sa.Column("nonce", _S(length=64), nullable=False),
        sa.Column("next_path", _S(length=2000), nullable=False),
        sa.Column("expires_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index(op.f("ix_sso_flows_expires_at"), "sso_flows", ["expires_at"])
    op.create_table(
        "sso_link_requests",
        sa.Column("token_hash", _S(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("provider", _S(length=64), nullable=False),
        sa.Column("subject", _S(length=255), nullable=False),
        sa.Column("email", _S(length=320), nullable=False),
        sa.Column("groups", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("next_path", _S(length=2000), nullable=False),
        sa.Column("expires_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index(op.f("ix_sso_link_requests_expires_at"), "sso_link_requests", ["expires_at"])


def _policy_tables() -> None:
    op.create_table(
        "session_sign_ins",
        sa.Column("token_hash", _S(length=64), nullable=False),
        sa.Column("method", _S(length=16), nullable=False),
        sa.Column("provider", _S(length=64), nullable=True),
        sa.Column("second_factor", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["token_hash"], ["auth_sessions.token_hash"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_table(
        "sign_in_policies",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("require_sso", sa.Boolean(), nullable=False),
        sa.Column("require_two_factor", sa.Boolean(), nullable=False),
        sa.Column("sso_provider", _S(length=64), nullable=True),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("workspace_id"),
    )
    op.create_table(
        "sso_group_roles",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("group_name", _S(length=255), nullable=False),
        sa.Column("role", _S(length=16), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("workspace_id", "group_name"),
    )
    op.create_table(
        "sso_group_grants",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", _S(length=16), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("workspace_id", "user_id"),
    )


def _two_factor_tables() -> None:
    op.create_table(
        "totp_enrolments",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("confirmed_at", _TZ, nullable=True),
        sa.Column("last_step", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", _S(length=64), nullable=False),
        sa.Column("used_at", _TZ, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_recovery_codes_user_id"), "recovery_codes", ["user_id"])
    op.create_table(
        "pending_logins",
        sa.Column("token_hash", _S(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("next_path", _S(length=2000), nullable=False),
        sa.Column("expires_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index(op.f("ix_pending_logins_expires_at"), "pending_logins", ["expires_at"])


def upgrade() -> None:
    _sso_tables()
    _policy_tables()
    _two_factor_tables()


def downgrade() -> None:
    for table in (
        "pending_logins",
        "recovery_codes",
        "totp_enrolments",
        "sso_group_grants",
        "sso_group_roles",
        "sign_in_policies",
        "session_sign_ins",
        "sso_link_requests",
        "sso_flows",
        "sso_identities",
    ):
        op.drop_table(table)
