"""Accounts whose sign-in lives elsewhere (an OpenID provider), and looking accounts up.

Such an account has no password (an empty hash, which no password verifies), so the password
form can never open it; it signs in through its linked identity only.
"""

from __future__ import annotations

import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts.models import User


async def create_without_password(session: AsyncSession, *, email: str, name: str) -> User:
    """A new account for an e-mail address the identity provider verified."""
    user = User(email=email, name=name or email, password_hash="")
    session.add(user)
    await session.flush()
    return user


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    return (await session.exec(select(User).where(User.email == email))).first()


async def user_by_id(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.get(User, user_id)
