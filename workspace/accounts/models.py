"""Tables of the accounts domain: users, login sessions, API tokens, rate-limit counters."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from workspace.db.columns import TZ, utcnow


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    email: str = Field(sa_column=sa.Column(sa.String(320), nullable=False, unique=True))
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=TZ)


class AuthSession(SQLModel, table=True):
    """A server-side login session; the cookie carries a random token whose hash is the key."""

    __tablename__ = "auth_sessions"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=TZ)
    expires_at: datetime = Field(sa_type=TZ, index=True)
    ip: str | None = Field(default=None, max_length=64)


TOKEN_SCOPES = ("models", "api")
"""``models``: ``GET /v1/models`` only; ``api``: every route the owner may use."""


class ApiToken(SQLModel, table=True):
    """A personal API token (``sb_...``): stored hashed, shown once, revocable.

    A token naming a workspace serves that workspace only (the gateway's ``/v1/...`` routes need
    one); without one it is an account token, as every token was before scopes existed.
    """

    __tablename__ = "api_tokens"
    __table_args__ = (sa.CheckConstraint("scope IN ('models', 'api')", name="ck_api_tokens_scope"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    workspace_id: uuid.UUID | None = Field(
        default=None, foreign_key="workspaces.id", index=True, ondelete="CASCADE"
    )
    scope: str = Field(
        default="api", sa_column=sa.Column(sa.String(16), nullable=False, server_default="api")
    )
    expires_at: datetime | None = Field(default=None, sa_type=TZ)
    name: str = Field(max_length=200)
    token_hash: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
    hint: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=TZ)
    last_used_at: datetime | None = Field(default=None, sa_type=TZ)
    revoked_at: datetime | None = Field(default=None, sa_type=TZ)


class RateLimitCounter(SQLModel, table=True):
    """Fixed-window counters shared by every replica (login throttling)."""

    __tablename__ = "rate_limit_counters"

    bucket: str = Field(primary_key=True, max_length=400)
    window_start: datetime = Field(sa_type=TZ, primary_key=True)
    count: int = 0
