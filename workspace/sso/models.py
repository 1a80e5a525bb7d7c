"""Tables of single sign-on and the per-workspace sign-in policy."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from workspace.db.columns import TZ, utcnow


class SsoIdentity(SQLModel, table=True):
    """A user's account at one identity provider: ``(provider, subject)`` names it for good."""

    __tablename__ = "sso_identities"
    __table_args__ = (sa.UniqueConstraint("provider", "subject", name="uq_sso_identities_subject"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    provider: str = Field(max_length=64)
    subject: str = Field(max_length=255)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    email: str = Field(max_length=320)
    created_at: datetime = Field(default_factory=utcnow, sa_type=TZ)
    last_login_at: datetime = Field(default_factory=utcnow, sa_type=TZ)


class SsoFlow(SQLModel, table=True):
    """One sign-in in progress, between the redirect to the IdP and its answer.

    Keyed by the hash of a random token held only in the browser's cookie; the PKCE verifier is
    derived from that token and only the hash of ``state`` is kept, so this row alone cannot
    finish the flow. Deleted when used.
    """

    __tablename__ = "sso_flows"

    token_hash: str = Field(primary_key=True, max_length=64)
    provider: str = Field(max_length=64)
    state_hash: str = Field(max_length=64)
    nonce: str = Field(max_length=64)
    next_path: str = Field(max_length=2000)
    expires_at: datetime = Field(sa_type=TZ, index=True)


class SsoLinkRequest(SQLModel, table=True):
    """A validated IdP login whose verified e-mail belongs to an existing password account:
    it waits until that account's password is proven. Keyed by a cookie token's hash."""

    __tablename__ = "sso_link_requests"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    provider: str = Field(max_length=64)
    subject: str = Field(max_length=255)
    email: str = Field(max_length=320)
    groups: list[str] = Field(default_factory=list, sa_column=sa.Column(JSONB, nullable=False))
    next_path: str = Field(max_length=2000)
    expires_at: datetime = Field(sa_type=TZ, index=True)


class SessionSignIn(SQLModel, table=True):
    """How a login session was signed in; a session without a row signed in by password alone."""

    __tablename__ = "session_sign_ins"

    token_hash: str = Field(
        primary_key=True, max_length=64, foreign_key="auth_sessions.token_hash", ondelete="CASCADE"
    )
    method: str = Field(max_length=16)
    provider: str | None = Field(default=None, max_length=64)
    second_factor: bool = False


class SignInPolicy(SQLModel, table=True):
    """A workspace's sign-in rules, set by its admins; no row means neither is required."""

    __tablename__ = "sign_in_policies"

    workspace_id: uuid.UUID = Field(
        foreign_key="workspaces.id", primary_key=True, ondelete="CASCADE"
    )
    require_sso: bool = False
    require_two_factor: bool = False
    sso_provider: str | None = Field(default=None, max_length=64)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=TZ)


class GroupRole(SQLModel, table=True):
    """Members of ``group_name`` at the workspace's provider get ``role`` in the workspace."""

    __tablename__ = "sso_group_roles"

    workspace_id: uuid.UUID = Field(
        foreign_key="workspaces.id", primary_key=True, ondelete="CASCADE"
    )
    group_name: str = Field(primary_key=True, max_length=255)
    role: str = Field(max_length=16)


class GroupGrant(SQLModel, table=True):
    """A membership that groups gave: the next login without the group takes it away again.
    Memberships from invites have no row and are left alone."""

    __tablename__ = "sso_group_grants"

    workspace_id: uuid.UUID = Field(
        foreign_key="workspaces.id", primary_key=True, ondelete="CASCADE"
    )
    user_id: uuid.UUID = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    role: str = Field(max_length=16)
