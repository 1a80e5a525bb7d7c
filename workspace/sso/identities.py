"""From a validated IdP login to a Switchboard account.

1. A known ``(provider, subject)`` signs its user in.
2. Otherwise the e-mail decides: its domain must be allowed; an existing account with that
   e-mail is linked only when the IdP says the e-mail is verified *and* the person then proves
   the old login (its password): a :class:`~workspace.sso.models.SsoLinkRequest` waits for that.
   An unverified e-mail matching an account is refused: that would be an account takeover.
3. A new e-mail (verified) gets an account just in time, with no password.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts import service as accounts
from workspace.accounts.external import create_without_password, user_by_email, user_by_id
from workspace.accounts.models import User
from workspace.accounts.secrets import new_token, token_hash
from workspace.audit.actions import AuditAction
from workspace.audit.service import Actor, record
from workspace.config.settings import Settings
from workspace.db.columns import utcnow
from workspace.errors import InvalidInput
from workspace.sso.errors import SsoRefused
from workspace.sso.flow import IdpLogin
from workspace.sso.models import SsoIdentity, SsoLinkRequest
from workspace.sso.providers import ProviderConfig


@dataclass(frozen=True)
class SignedIn:
    user: User
    created: bool


@dataclass(frozen=True)
class NeedsLink:
    """An existing account must prove its password; the cookie carries ``cookie_token``."""

    email: str
    cookie_token: str


def _check_email(provider: ProviderConfig, login: IdpLogin) -> None:
    if not login.email:
        raise SsoRefused("The identity provider sent no e-mail address (add the 'email' scope).")
    try:
        accounts.normalize_email(login.email)
    except InvalidInput:
        raise SsoRefused("The identity provider's e-mail address is not valid.") from None
    if not provider.allows_email(login.email):
        raise SsoRefused(
            f"Accounts of {login.email.rpartition('@')[2]} may not sign in with {provider.label}."
        )


async def resolve(
    db: AsyncSession, settings: Settings, provider: ProviderConfig, login: IdpLogin, ip: str | None
) -> SignedIn | NeedsLink:
    """The account this login signs in to, created or awaiting a link as the rules say."""
    _check_email(provider, login)
    stmt = select(SsoIdentity).where(
        SsoIdentity.provider == provider.id, SsoIdentity.subject == login.subject
    )
    identity = (await db.exec(stmt)).first()
    user = await user_by_id(db, identity.user_id) if identity is not None else None
    if identity is not None and user is not None:
        identity.email, identity.last_login_at = login.email, utcnow()
        db.add(identity)
        await record(db, Actor(user.id, ip), AuditAction.SSO_SIGNED_IN, target_type="user",
                     target_id=user.id, details={"provider": login.provider})  # fmt: skip
        return SignedIn(user, created=False)
    existing = await user_by_email(db, login.email)
    if existing is not None:
        if not login.email_verified:
            raise SsoRefused(
                f"An account with {login.email} exists, and {provider.label} does not say the "
                "address is verified, so it cannot be linked. Sign in with your password."
            )
        return await _ask_for_link(db, settings, existing, login)
    if not login.email_verified:
        raise SsoRefused(f"{provider.label} does not say {login.email} is verified.")
    return SignedIn(await _create(db, login, ip), created=True)


async def _create(db: AsyncSession, login: IdpLogin, ip: str | None) -> User:
    user = await create_without_password(db, email=login.email, name=login.name)
    db.add(SsoIdentity(provider=login.provider, subject=login.subject, user_id=user.id,
                       email=login.email))  # fmt: skip
    await db.flush()
    await record(db, Actor(user.id, ip), AuditAction.SSO_ACCOUNT_CREATED, target_type="user",
                 target_id=user.id, details={"provider": login.provider})  # fmt: skip
    return user


async def _ask_for_link(
    db: AsyncSession, settings: Settings, user: User, login: IdpLogin
) -> NeedsLink:
    raw = new_token()
    await db.execute(sa.delete(SsoLinkRequest).where(col(SsoLinkRequest.expires_at) < utcnow()))
    db.add(
        SsoLinkRequest(
            token_hash=token_hash(raw),
            user_id=user.id,
            provider=login.provider,
            subject=login.subject,
            email=login.email,
            groups=list(login.groups),
            next_path=login.next_path,
            expires_at=utcnow() + timedelta(seconds=settings.sso_flow_ttl_s),
        )
    )
    await db.flush()
    return NeedsLink(user.email, raw)


async def pending_link(db: AsyncSession, cookie_token: str) -> SsoLinkRequest | None:
    """The link request of this cookie, if it has not expired."""
    if not cookie_token:
        return None
    row = await db.get(SsoLinkRequest, token_hash(cookie_token))
    return row if row is not None and row.expires_at > utcnow() else None


async def complete_link(
    db: AsyncSession, settings: Settings, link: SsoLinkRequest, password: str, ip: str | None
) -> User:
    """Prove the old login (rate-limited like any sign-in), then link the identity for good."""
    user = await user_by_id(db, link.user_id)
    if user is None:
        raise SsoRefused("That account no longer exists.")
    user = await accounts.login(db, settings, email=user.email, password=password, ip=ip)
    db.add(SsoIdentity(provider=link.provider, subject=link.subject, user_id=user.id,
                       email=link.email))  # fmt: skip
    await db.execute(
        sa.delete(SsoLinkRequest).where(col(SsoLinkRequest.token_hash) == link.token_hash)
    )
    await db.flush()
    await record(db, Actor(user.id, ip), AuditAction.SSO_LINKED, target_type="user",
                 target_id=user.id, details={"provider": link.provider})  # fmt: skip
    return user


async def identities_of(db: AsyncSession, user_id: uuid.UUID) -> list[SsoIdentity]:
    """The user's linked IdP accounts."""
    stmt = select(SsoIdentity).where(SsoIdentity.user_id == user_id)
    return list((await db.exec(stmt)).all())
