"""Enrolling an authenticator, checking a second factor, recovery codes, disabling.

The secret is written to Vault (``users/<id>/totp``) when enrolment starts and confirmed by a
first code; only then is 2FA on, with recovery codes shown once and stored hashed. Checking a
code at sign-in counts failures per account and per address like the password does
(``SWITCHBOARD_LOGIN_LIMIT_*``), so six digits cannot be walked through.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts import ratelimit
from workspace.accounts.service import LoginRateLimited
from workspace.audit.actions import AuditAction
from workspace.audit.service import Actor, record
from workspace.config.settings import Settings
from workspace.db.columns import utcnow
from workspace.db.sessions import own_transaction
from workspace.errors import AppError, Conflict
from workspace.secrets.paths import two_factor_secret
from workspace.secrets.vault import SecretNotFound, SecretStore
from workspace.twofactor.models import RecoveryCode, TotpEnrolment
from workspace.twofactor.totp import matching_step, new_secret, provisioning_uri, qr_svg


class SecondFactorWrong(AppError):
    code = "second_factor_wrong"


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment page shows: the QR code, and the secret for typing it in by hand."""

    secret: str
    uri: str
    qr_svg: str


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").encode()).hexdigest()


def _recovery_code() -> str:
    raw = secrets.token_hex(5)  # 40 bits, shown as xxxxx-xxxxx
    return f"{raw[:5]}-{raw[5:]}"


async def is_enrolled(db: AsyncSession, user_id: uuid.UUID) -> bool:
    row = await db.get(TotpEnrolment, user_id)
    return row is not None and row.confirmed_at is not None


async def begin(
    db: AsyncSession, store: SecretStore, settings: Settings, user_id: uuid.UUID, email: str
) -> Enrolment:
    """Start (or restart) enrolment: a new secret in Vault, not yet in force."""
    row = await db.get(TotpEnrolment, user_id)
    if row is not None and row.confirmed_at is not None:
        raise Conflict("Two-factor sign-in is already on; disable it first to change the app.")
    secret = new_secret()
    await store.write(two_factor_secret(user_id), {"secret": secret})
    if row is None:
        db.add(TotpEnrolment(user_id=user_id))
    else:
        row.created_at, row.last_step = utcnow(), 0
        db.add(row)
    await db.flush()
    uri = provisioning_uri(secret, email, settings.totp_issuer)
    return Enrolment(secret, uri, qr_svg(uri))


async def _secret(store: SecretStore, user_id: uuid.UUID) -> str:
    try:
        data, _ = await store.read(two_factor_secret(user_id), use_cache=False)
    except SecretNotFound:
        raise SecondFactorWrong(
            "Start enrolment again: no authenticator secret is stored."
        ) from None
    return data["secret"]


async def confirm(
    db: AsyncSession,
    store: SecretStore,
    settings: Settings,
    actor: Actor,
    user_id: uuid.UUID,
    code: str,
) -> list[str]:
    """Turn 2FA on with a first code from the app; the recovery codes, to be shown once."""
    row = await db.get(TotpEnrolment, user_id)
    if row is None or row.confirmed_at is not None:
        raise Conflict("There is no enrolment waiting; start again.")
    step = matching_step(await _secret(store, user_id), code, after_step=row.last_step)
    if step is None:
        raise SecondFactorWrong("That code is not the one your app shows now; try the next one.")
    row.confirmed_at, row.last_step = utcnow(), step
    db.add(row)
    await db.execute(sa.delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
    codes = [_recovery_code() for _ in range(settings.totp_recovery_codes)]
    for plain in codes:
        db.add(RecoveryCode(user_id=user_id, code_hash=_hash(plain)))
    await record(db, actor, AuditAction.TWO_FACTOR_ENABLED, target_type="user",
                 target_id=user_id)  # fmt: skip
    await db.flush()
    return codes


async def _use_recovery_code(db: AsyncSession, actor: Actor, user_id: uuid.UUID, code: str) -> bool:
    stmt = select(RecoveryCode).where(
        RecoveryCode.user_id == user_id,
        RecoveryCode.code_hash == _hash(code),
        col(RecoveryCode.used_at).is_(None),
    )
    row = (await db.exec(stmt.with_for_update())).first()
    if row is None:
        return False
    row.used_at = utcnow()
    db.add(row)
    await record(db, actor, AuditAction.TWO_FACTOR_RECOVERY_USED, target_type="user",
                 target_id=user_id)  # fmt: skip
    return True


async def _check_code(
    db: AsyncSession, store: SecretStore, actor: Actor, user_id: uuid.UUID, code: str
) -> bool:
    stmt = select(TotpEnrolment).where(TotpEnrolment.user_id == user_id).with_for_update()
    row = (await db.exec(stmt)).first()
    if row is None or row.confirmed_at is None:
        return False
    step = matching_step(await _secret(store, user_id), code, after_step=row.last_step)
    if step is not None:
        row.last_step = step
        db.add(row)
        return True
    return await _use_recovery_code(db, actor, user_id, code)


async def verify(
    db: AsyncSession,
    store: SecretStore,
    settings: Settings,
    actor: Actor,
    user_id: uuid.UUID,
    code: str,
) -> None:
    """Accept a current TOTP code or an unused recovery code, throttled like the password."""
    window = settings.login_window_s
    ip_bucket = f"login-ip:{(actor.ip or 'unknown')[:64]}"
    account_bucket = f"second-factor:{user_id}"
    async with own_transaction(db) as counters:
        ip_count = await ratelimit.hit(counters, ip_bucket, window)
        failures = await ratelimit.current(counters, account_bucket, window)
    if ip_count > settings.login_limit_per_ip or failures >= settings.login_limit_per_account:
        raise LoginRateLimited(
            "Too many sign-in attempts. Wait a few minutes and try again.",
            extra={"retry_after": ratelimit.seconds_left(window)},
        )
    if not await _check_code(db, store, actor, user_id, code):
        async with own_transaction(db) as counters:
            await ratelimit.hit(counters, account_bucket, window)
        raise SecondFactorWrong("That code is wrong or was already used.")
    await db.flush()


async def disable(
    db: AsyncSession,
    store: SecretStore,
    settings: Settings,
    actor: Actor,
    user_id: uuid.UUID,
    code: str,
) -> None:
    """Turn 2FA off after a valid code; the secret is destroyed in Vault."""
    await verify(db, store, settings, actor, user_id, code)
    await db.execute(sa.delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
    await db.execute(sa.delete(TotpEnrolment).where(col(TotpEnrolment.user_id) == user_id))
    await store.destroy_all(two_factor_secret(user_id))
    await record(db, actor, AuditAction.TWO_FACTOR_DISABLED, target_type="user",
                 target_id=user_id)  # fmt: skip
    await db.flush()


async def recovery_codes_left(db: AsyncSession, user_id: uuid.UUID) -> int:
    stmt = (
        select(sa.func.count())
        .select_from(RecoveryCode)
        .where(col(RecoveryCode.user_id) == user_id, col(RecoveryCode.used_at).is_(None))
    )
    return int((await db.exec(stmt)).one())
