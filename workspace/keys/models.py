"""Credential metadata and workspace model policy. The secrets themselves live only in Vault."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from workspace.db.columns import TZ, utcnow
from workspace.secrets import paths


class Credential(SQLModel, table=True):
    """A provider key or credential-file login: workspace-owned or a member's own (personal)."""

    __tablename__ = "credentials"
    __table_args__ = (
        sa.CheckConstraint(
            "(scope = 'workspace' AND workspace_id IS NOT NULL AND user_id IS NULL) OR "
            "(scope = 'personal' AND user_id IS NOT NULL AND workspace_id IS NULL)",
            name="ck_credentials_owner",
        ),
        # One owner, one label: NULLs never clash, so a personal row (no workspace_id) is only
        # held to the second constraint and a workspace row only to the first.
        sa.UniqueConstraint("workspace_id", "label", name="uq_credentials_workspace_label"),
        sa.UniqueConstraint("user_id", "label", name="uq_credentials_user_label"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    scope: str = Field(max_length=16)
    workspace_id: uuid.UUID | None = Field(
        default=None, foreign_key="workspaces.id", index=True, ondelete="CASCADE"
    )
    user_id: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", index=True, ondelete="CASCADE"
    )
    provider: str = Field(max_length=64)
    label: str = Field(max_length=200)
    kind: str = Field(max_length=32)
    fingerprint: str = Field(max_length=32)
    base_url: str | None = Field(default=None, max_length=2000)
    status: str = Field(default="unknown", max_length=32)
    status_message: str = Field(default="", max_length=500)
    vault_version: int = 0
    last_validated_at: datetime | None = Field(default=None, sa_type=TZ)
    last_used_at: datetime | None = Field(default=None, sa_type=TZ)
    created_by: uuid.UUID = Field(foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=TZ)


LABEL_CONSTRAINTS = frozenset({"uq_credentials_workspace_label", "uq_credentials_user_label"})
"""The constraints behind ``duplicate_label`` (the keys service names the clash, not the DB)."""


def vault_path(credential: Credential) -> str:
    """Where a credential's secret lives in Vault, from its ids alone."""
    if credential.scope == "workspace":
        assert credential.workspace_id is not None
        return paths.workspace_credential(credential.workspace_id, credential.id)
    assert credential.user_id is not None
    return paths.personal_credential(credential.user_id, credential.id)


class WorkspacePolicy(SQLModel, table=True):
    """Which providers and models a workspace may use, and how BYOK failures are handled."""

    __tablename__ = "workspace_policies"

    workspace_id: uuid.UUID = Field(
        foreign_key="workspaces.id", primary_key=True, ondelete="CASCADE"
    )
    allowed_providers: list[str] | None = Field(default=None, sa_column=sa.Column(JSONB))
    allowed_models: list[str] | None = Field(default=None, sa_column=sa.Column(JSONB))
    personal_keys_allowed: bool = True
    byok_failure: str = Field(default="fail", max_length=16)
    # "Own keys only": the platform's hosted keys are never used, not even as a fallback.
    own_keys_only: bool = False
    updated_at: datetime = Field(default_factory=utcnow, sa_type=TZ)


class PlatformKey(SQLModel, table=True):
    """Metadata of an operator-hosted key (the key is in Vault under ``platform/<provider>``)."""

    __tablename__ = "platform_keys"

    provider: str = Field(primary_key=True, max_length=64)
    fingerprint: str = Field(max_length=32)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=TZ)


class ModelDefaults(SQLModel, table=True):
    """A member's default models in one workspace: overall, and per provider (absent = none)."""

    __tablename__ = "member_model_defaults"

    workspace_id: uuid.UUID = Field(
        foreign_key="workspaces.id", primary_key=True, ondelete="CASCADE"
    )
    user_id: uuid.UUID = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    # ``provider/model``, as the pickers and the chat API take it.
    overall: str | None = Field(default=None, max_length=200)
    # Provider id -> ``provider/model``.
    per_provider: dict[str, str] = Field(
        default_factory=dict,
        sa_column=sa.Column(JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    )
    updated_at: datetime = Field(default_factory=utcnow, sa_type=TZ)
