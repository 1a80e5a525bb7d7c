"""Who is calling: resolve a session cookie or an API token into a :class:`Principal`.

Cookie-authenticated writes must carry the session's CSRF token in ``X-CSRF-Token``; bearer
tokens are not sent by browsers on their own, so they need none.
"""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

import sqlalchemy as sa
from litestar import Request
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts.models import ApiToken, AuthSession, User
from workspace.accounts.secrets import API_TOKEN_PREFIX, token_hash
from workspace.db.columns import utcnow
from workspace.db.sessions import own_transaction
from workspace.errors import Forbidden, Unauthorized

SESSION_COOKIE = "sb_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Writing last_used_at on every call would turn reads into writes; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(seconds=60)


class CsrfFailed(Forbidden):
    code = "csrf_failed"


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID
    email: str
    name: str
    via: Literal["session", "token"]
    session_key: str | None = None
    csrf_token: str | None = None


def client_ip(request: Request[Any, Any, Any], trust_forwarded_for: bool) -> str | None:
    """The address a request came from, for sign-in limits and the audit log.

    Behind a trusted reverse proxy it is the *last* X-Forwarded-For entry, the one that proxy
    appended itself. Entries before it are whatever the client sent: trusting the first would
    let anyone claim a fresh address on each sign-in attempt and walk around the per-address
    limits.
    """
    if trust_forwarded_for and (fwd := request.headers.get("x-forwarded-for")):
        last = fwd.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.client.host if request.client else None


async def _from_token(session: AsyncSession, raw: str) -> Principal | None:
    stmt = (
        select(ApiToken, User)
        .join(User, col(User.id) == col(ApiToken.user_id))
        .where(ApiToken.token_hash == token_hash(raw), col(ApiToken.revoked_at).is_(None))
    )
    row = (await session.exec(stmt)).first()
    if row is None:
        return None
    token, user = row
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        # Bookkeeping, not the request's work: its own transaction, so GETs stay read-only.
        async with own_transaction(session) as own:
            await own.execute(
                sa.update(ApiToken).where(col(ApiToken.id) == token.id).values(last_used_at=now)
            )
    return Principal(user.id, user.email, user.name, "token")


async def _from_cookie(session: AsyncSession, raw: str) -> Principal | None:
    key = token_hash(raw)
    stmt = (
        select(AuthSession, User)
        .join(User, col(User.id) == col(AuthSession.user_id))
        .where(AuthSession.token_hash == key, col(AuthSession.expires_at) > utcnow())
    )
    row = (await session.exec(stmt)).first()
    if row is None:
        return None
    auth, user = row
    return Principal(user.id, user.email, user.name, "session", key, auth.csrf_token)


async def optional_principal(
    request: Request[Any, Any, Any], session: AsyncSession
) -> Principal | None:
    """The caller, or None when the request carries no valid credentials."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        raw = header[7:].strip()
        return await _from_token(session, raw) if raw.startswith(API_TOKEN_PREFIX) else None
    if cookie := request.cookies.get(SESSION_COOKIE):
        return await _from_cookie(session, cookie)
    return None


def check_csrf(request: Request[Any, Any, Any], principal: Principal) -> None:
    if principal.via != "session" or request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not principal.csrf_token or not hmac.compare_digest(sent, principal.csrf_token):
        raise CsrfFailed("This write needs the X-CSRF-Token header of your session.")


async def require_principal(request: Request[Any, Any, Any], session: AsyncSession) -> Principal:
    principal = await optional_principal(request, session)
    if principal is None:
        raise Unauthorized("Sign in, or send an API token as 'Authorization: Bearer sb_...'.")
    check_csrf(request, principal)
    return principal
