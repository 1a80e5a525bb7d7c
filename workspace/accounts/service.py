"""Sign-up, login, logout and API tokens."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts import ratelimit
from workspace.accounts.models import ApiToken, AuthSession, User
from workspace.accounts.password_strength import weakness
from workspace.accounts.passwords import hash_password, verify_password
from workspace.accounts.secrets import API_TOKEN_PREFIX, new_token, token_hash, token_hint
from workspace.audit.actions import AuditAction
from workspace.audit.service import Actor, record
from workspace.config.settings import Settings
from workspace.db.columns import utcnow
from workspace.db.sessions import own_transaction
from workspace.errors import AppError, Conflict, InvalidInput, NotFound, TooManyRequests

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


class InvalidLogin(AppError):
    code = "invalid_login"


class LoginRateLimited(TooManyRequests):
    code = "login_rate_limited"


class EmailTaken(Conflict):
    code = "email_taken"


class WeakPassword(InvalidInput):
    code = "weak_password"


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if len(email) > 320 or not _EMAIL.match(email):
        raise InvalidInput("That does not look like an email address.", extra={"field": "email"})
    return email


async def check_new_password(
    settings: Settings, password: str, *, email: str, name: str = ""
) -> None:
    """Refuse a password being set that is too short, common, or made of the user's own words.

    Every place that sets a password calls this, so the rule is the same everywhere.
    """
    if len(password) < settings.password_min_length:
        raise InvalidInput(
            f"Use a password of at least {settings.password_min_length} characters.",
            extra={"field": "password"},
        )
    why = await weakness(password, (email, email.partition("@")[0], name))
    if why is not None:
        raise WeakPassword(
            f"Choose a harder password. {why} A few unrelated words make a strong one.",
            extra={"field": "password"},
        )


async def signup(
    session: AsyncSession, settings: Settings, *, email: str, password: str, name: str
) -> User:
    email = normalize_email(email)
    await check_new_password(settings, password, email=email, name=name.strip())
    user = User(
        email=email, name=name.strip() or email, password_hash=await hash_password(password)
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise EmailTaken("An account with this email already exists.") from None
    return user


@dataclass(frozen=True)
class NewSession:
    user: User
    cookie_token: str
    csrf_token: str
    max_age_s: int


async def start_session(
    session: AsyncSession, settings: Settings, user: User, ip: str | None
) -> NewSession:
    raw, csrf = new_token(), new_token()
    ttl = timedelta(hours=settings.session_ttl_hours)
    session.add(
        AuthSession(
            token_hash=token_hash(raw),
            user_id=user.id,
            csrf_token=csrf,
            expires_at=utcnow() + ttl,
            ip=ip,
        )
    )
    await session.flush()
    return NewSession(user, raw, csrf, int(ttl.total_seconds()))


def _login_buckets(email: str, ip: str | None) -> tuple[str, str, str]:
    """The three counters a sign-in touches: the address, the account from that address, and
    the account from anywhere. The pair is hashed: an email and an address may not fit the
    bucket column side by side."""
    where = (ip or "unknown")[:64]
    pair = hashlib.sha256(f"{email}\n{where}".encode()).hexdigest()
    return f"login-ip:{where}", f"login-account-ip:{pair}", f"login-account:{email}"


async def login(
    session: AsyncSession, settings: Settings, *, email: str, password: str, ip: str | None
) -> User:
    """Check a password, throttled so that nobody else's failures lock the owner out.

    Three limits per window: attempts from one address (``login_limit_per_ip``: one address
    trying many accounts); failures for one account from one address
    (``login_limit_per_account``: guessing one account); failures for one account from all
    addresses together (``login_limit_per_account_all_ips``, far higher: a distributed guess).
    A stranger's failures fill only their own address's counters, so the owner signing in from
    their own address still gets in, unless the account is under an attack large enough to
    reach the all-addresses ceiling.
    """
    email = email.strip().lower()
    window = settings.login_window_s
    ip_bucket, pair_bucket, account_bucket = _login_buckets(email, ip)
    # The counters outlive the request: a refused sign-in rolls its unit of work back.
    async with own_transaction(session) as counters:
        ip_count = await ratelimit.hit(counters, ip_bucket, window)
        pair_failures = await ratelimit.current(counters, pair_bucket, window)
        account_failures = await ratelimit.current(counters, account_bucket, window)
    if (
        ip_count > settings.login_limit_per_ip
        or pair_failures >= settings.login_limit_per_account
        or account_failures >= settings.login_limit_per_account_all_ips
    ):
        raise LoginRateLimited(
            "Too many sign-in attempts. Wait a few minutes and try again.",
            extra={"retry_after": ratelimit.seconds_left(window)},
        )
    user = (await session.exec(select(User).where(User.email == email))).first()
    if not await verify_password(user.password_hash if user else None, password) or user is None:
        async with own_transaction(session) as counters:
            await ratelimit.hit(counters, pair_bucket, window)
            await ratelimit.hit(counters, account_bucket, window)
        raise InvalidLogin("Email or password is wrong.")
    return user


async def end_session(session: AsyncSession, session_key: str) -> None:
    await session.execute(sa.delete(AuthSession).where(col(AuthSession.token_hash) == session_key))


@dataclass(frozen=True)
class TokenGrant:
    """What a new token may reach: one workspace (or every one of an account token), a scope,
    until when. The caller checks the membership first."""

    workspace_id: uuid.UUID | None = None
    scope: str = "api"
    expires_at: datetime | None = None


ACCOUNT_TOKEN = TokenGrant()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str


async def create_api_token(
    session: AsyncSession,
    settings: Settings,
    actor: Actor,
    user_id: uuid.UUID,
    name: str,
    grant: TokenGrant = ACCOUNT_TOKEN,
) -> IssuedToken:
    live = await list_api_tokens(session, user_id)
    if len(live) >= settings.api_tokens_per_user:
        raise Conflict(
            f"You already have {settings.api_tokens_per_user} API tokens; revoke one first."
        )
    raw = new_token(API_TOKEN_PREFIX)
    token = ApiToken(
        user_id=user_id,
        name=name,
        token_hash=token_hash(raw),
        hint=token_hint(raw),
        workspace_id=grant.workspace_id,
        scope=grant.scope,
        expires_at=grant.expires_at,
    )
    session.add(token)
    await session.flush()
    await record(
        session,
        actor,
        AuditAction.API_TOKEN_CREATED,
        target_type="api_token",
        target_id=token.id,
        workspace_id=grant.workspace_id,
        details={"scope": grant.scope},
    )
    return IssuedToken(token, raw)


async def list_api_tokens(session: AsyncSession, user_id: uuid.UUID) -> Sequence[ApiToken]:
    stmt = (
        select(ApiToken)
        .where(ApiToken.user_id == user_id, col(ApiToken.revoked_at).is_(None))
        .order_by(col(ApiToken.created_at).desc())
    )
    return (await session.exec(stmt)).all()


async def revoke_api_token(
    session: AsyncSession, actor: Actor, user_id: uuid.UUID, token_id: uuid.UUID
) -> None:
    stmt = select(ApiToken).where(
        ApiToken.id == token_id, ApiToken.user_id == user_id, col(ApiToken.revoked_at).is_(None)
    )
    token = (await session.exec(stmt)).first()
    if token is None:
        raise NotFound("No such API token.")
    token.revoked_at = utcnow()
    session.add(token)
    await record(
        session, actor, AuditAction.API_TOKEN_REVOKED, target_type="api_token", target_id=token.id
    )


async def display_names(
    session: AsyncSession, user_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """Names to show for authors (a shared conversation names each one); one query."""
    if not user_ids:
        return {}
    stmt = select(User.id, User.name).where(col(User.id).in_(set(user_ids)))
    return dict((await session.exec(stmt)).all())
