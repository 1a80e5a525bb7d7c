"""A right password waiting for its second factor: a short-lived row keyed by a cookie token."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts.secrets import new_token, token_hash
from workspace.config.settings import Settings
from workspace.db.columns import utcnow
from workspace.twofactor.models import PendingLogin


async def hold(db: AsyncSession, settings: Settings, user_id: uuid.UUID, next_path: str) -> str:
    """Park the login; the raw token for the browser's cookie."""
    raw = new_token()
    await db.execute(sa.delete(PendingLogin).where(col(PendingLogin.expires_at) < utcnow()))
    db.add(
        PendingLogin(
            token_hash=token_hash(raw),
            user_id=user_id,
            next_path=next_path,
            expires_at=utcnow() + timedelta(seconds=settings.second_factor_ttl_s),
        )
    )
    await db.flush()
    return raw


async def find(db: AsyncSession, raw: str) -> PendingLogin | None:
    """The parked login of this cookie, if it has not expired."""
    if not raw:
        return None
    row = await db.get(PendingLogin, token_hash(raw))
    return row if row is not None and row.expires_at > utcnow() else None


async def release(db: AsyncSession, row: PendingLogin) -> None:
    await db.execute(sa.delete(PendingLogin).where(col(PendingLogin.token_hash) == row.token_hash))
