"""Tables of two-factor sign-in: who enrolled, their recovery codes, logins awaiting a code."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from workspace.db.columns import TZ, utcnow


class TotpEnrolment(SQLModel, table=True):
    """A user's authenticator app; the secret itself is in Vault. Unconfirmed until a first
    code proves the app holds it."""

    __tablename__ = "totp_enrolments"

    user_id: uuid.UUID = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=TZ)
    confirmed_at: datetime | None = Field(default=None, sa_type=TZ)
    # The 30-second step of the last accepted code: the same code is never accepted twice.
    last_step: int = 0


class RecoveryCode(SQLModel, table=True):
    """A single-use recovery code, stored as its SHA-256."""

    __tablename__ = "recovery_codes"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = Field(default=None, sa_type=TZ)


class PendingLogin(SQLModel, table=True):
    """A password that was right, waiting for the second factor; keyed by a cookie token's hash."""

    __tablename__ = "pending_logins"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    next_path: str = Field(max_length=2000)
    expires_at: datetime = Field(sa_type=TZ, index=True)
