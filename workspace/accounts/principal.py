"""Who is calling: resolve a session cookie or an API token into a :class:`Principal`.

Cookie-authenticated writes must carry the session's CSRF token in ``X-CSRF-Token``; bearer
tokens are not sent by browsers on their own, so they need none.
"""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
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


class TokenExpired(Unauthorized):
    code = "token_expired"


class TokenScopeRefused(Forbidden):
    code = "token_scope"


SCOPE_OPT = "token_scope"
"""A route's ``opt`` key naming the token scope it needs; without it, ``api``."""


def require_may_make_tokens(principal: Principal) -> None:
    """A workspace token never makes tokens: it could otherwise mint one that outlives its
    expiry or reaches every workspace."""
    if principal.token_workspace_id is not None:
        raise TokenScopeRefused(
            "A workspace token cannot make API tokens; sign in, or use an account token.",
            extra={"scope": principal.token_scope, "needed": "account"},
        )


def require_scope(principal: Principal, needed: str) -> None:
    """A ``models`` token lists models and does nothing else."""
    if needed != principal.token_scope and principal.token_scope != "api":
        raise TokenScopeRefused(
            f"This API token's scope is '{principal.token_scope}'; this needs '{needed}'.",
            extra={"scope": principal.token_scope, "needed": needed},
        )


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID
    email: str
    name: str
    via: Literal["session", "token"]
    session_key: str | None = None
    csrf_token: str | None = None
    # A token's limits (see ApiToken): the one workspace it serves, and its scope.
    token_workspace_id: uuid.UUID | None = None
    token_scope: str = "api"
    # When the session or token stops working (None: a token without expiry).
    expires_at: datetime | None = None

    def may_enter(self, workspace_id: uuid.UUID) -> bool:
        """A workspace token reaches its own workspace only; a session or account token, any."""
        return self.token_workspace_id is None or self.token_workspace_id == workspace_id


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
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenExpired("This API token has expired; create a new one.")
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        # Bookkeeping, not the request's work: its own transaction, so GETs stay read-only.
        async with own_transaction(session) as own:
            await own.execute(
                sa.update(ApiToken).where(col(ApiToken.id) == token.id).values(last_used_at=now)
            )
    return Principal(
        user.id,
        user.email,
        user.name,
        "token",
        token_workspace_id=token.workspace_id,
        token_scope=token.scope,
        expires_at=token.expires_at,
    )


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
    return Principal(
        user.id, user.email, user.name, "session", key, auth.csrf_token, expires_at=auth.expires_at
    )


async def optional_principal(
    request: Request[Any, Any, Any], session: AsyncSession
) -> Principal | None:
    """The caller, or None when the request carries no valid credentials."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        raw = header[7:].strip()
        return await _from_token(session, raw) if raw.startswith(API_TOKEN_PREFIX) else None
    # Anthropic's clients send their key as x-api-key; a browser never sends it by itself.
    if (raw := request.headers.get("x-api-key", "").strip()).startswith(API_TOKEN_PREFIX):
        return await _from_token(session, raw)
    if cookie := request.cookies.get(SESSION_COOKIE):
        return await _from_cookie(session, cookie)
    return None


def credential_key(request: Request[Any, Any, Any]) -> str | None:
    """The hash of the credential :func:`optional_principal` would read (None: none to cache by);
    a lookup cache's key, never the credential itself."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        raw = header[7:].strip()
        return "t:" + token_hash(raw) if raw.startswith(API_TOKEN_PREFIX) else None
    if (raw := request.headers.get("x-api-key", "").strip()).startswith(API_TOKEN_PREFIX):
        return "t:" + token_hash(raw)
    if cookie := request.cookies.get(SESSION_COOKIE):
        return "s:" + token_hash(cookie)
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
