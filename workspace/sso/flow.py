"""The authorization code flow with PKCE, ``state`` and ``nonce`` (Authlib's OAuth 2 client).

:func:`start` makes a random token for the browser's cookie and stores only its hash, with the
hash of the flow's ``state``, its ``nonce`` and destination; the PKCE verifier is derived from
the cookie token, so a copy of the database row cannot finish the flow. :func:`finish` takes the
flow back exactly once (in its own transaction: a replay is refused even when the first attempt
failed), checks ``state`` against it, exchanges the code at the token endpoint, validates the ID
token (:mod:`workspace.sso.idtoken`) and reads userinfo when the token lacks e-mail or groups.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from authlib.integrations.base_client.errors import OAuthError  # type: ignore[import-untyped]
from authlib.integrations.httpx_client import AsyncOAuth2Client  # type: ignore[import-untyped]
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts.secrets import token_hash
from workspace.config.settings import Settings
from workspace.db.columns import utcnow
from workspace.db.sessions import own_transaction
from workspace.secrets.vault import SecretStore
from workspace.sso.client_secret import client_secret
from workspace.sso.discovery import Metadata, provider_metadata, signing_keys
from workspace.sso.errors import SsoRefused
from workspace.sso.idtoken import Expected, UnknownKey, validate
from workspace.sso.models import SsoFlow
from workspace.sso.providers import ProviderConfig


@dataclass(frozen=True)
class Started:
    """Where to send the browser, and the token its flow cookie must carry back."""

    authorization_url: str
    cookie_token: str


@dataclass(frozen=True)
class IdpLogin:
    """A login the IdP vouched for, its ID token validated."""

    provider: str
    subject: str
    email: str
    email_verified: bool
    name: str
    groups: tuple[str, ...]
    next_path: str


def redirect_uri(settings: Settings, provider: ProviderConfig) -> str:
    return f"{settings.resolved_public_url}/sso/{provider.id}/callback"


def _verifier(cookie_token: str) -> str:
    digest = hashlib.sha256(b"pkce:" + cookie_token.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _client(settings: Settings, provider: ProviderConfig, secret: str | None) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=provider.client_id,
        client_secret=secret,
        token_endpoint_auth_method="client_secret_basic" if secret else "none",
        scope=provider.scopes,
        redirect_uri=redirect_uri(settings, provider),
        code_challenge_method="S256",
        timeout=settings.sso_http_timeout_s,
    )


async def start(
    db: AsyncSession, settings: Settings, provider: ProviderConfig, next_path: str
) -> Started:
    """Record a new flow and build the IdP's authorization URL for it."""
    metadata = await provider_metadata(settings, provider)
    cookie_token, state, nonce = (secrets.token_urlsafe(32) for _ in range(3))
    await db.execute(sa.delete(SsoFlow).where(col(SsoFlow.expires_at) < utcnow()))
    db.add(
        SsoFlow(
            token_hash=token_hash(cookie_token),
            provider=provider.id,
            state_hash=token_hash(state),
            nonce=nonce,
            next_path=next_path,
            expires_at=utcnow() + timedelta(seconds=settings.sso_flow_ttl_s),
        )
    )
    await db.flush()
    async with _client(settings, provider, None) as client:
        url, _ = client.create_authorization_url(
            metadata.authorization_endpoint,
            state=state,
            code_verifier=_verifier(cookie_token),
            nonce=nonce,
        )
    return Started(url, cookie_token)


async def _take_flow(db: AsyncSession, cookie_token: str) -> SsoFlow | None:
    """The flow of this cookie, deleted as it is read (and committed at once)."""
    async with own_transaction(db) as own:
        row = (
            await own.execute(
                sa.delete(SsoFlow)
                .where(col(SsoFlow.token_hash) == token_hash(cookie_token))
                .returning(SsoFlow)
            )
        ).scalar_one_or_none()
        await own.execute(sa.delete(SsoFlow).where(col(SsoFlow.expires_at) < utcnow()))
    return row


async def finish(
    db: AsyncSession,
    settings: Settings,
    store: SecretStore,
    provider: ProviderConfig,
    cookie_token: str,
    params: dict[str, str],
) -> IdpLogin:
    """Check the IdP's answer (``code`` and ``state``, or ``error``) and validate the login."""
    flow = await _take_flow(db, cookie_token) if cookie_token else None
    if flow is None or flow.provider != provider.id or flow.expires_at < utcnow():
        raise SsoRefused("This sign-in has expired or was already used; start it again.")
    if not hmac.compare_digest(token_hash(params.get("state", "")), flow.state_hash):
        raise SsoRefused("The sign-in's state did not match; start it again.")
    if params.get("error"):
        raise SsoRefused(f"The identity provider refused the sign-in ({params['error'][:100]}).")
    if not params.get("code"):
        raise SsoRefused("The identity provider sent no authorization code.")
    metadata = await provider_metadata(settings, provider)
    tokens = await _exchange(settings, store, provider, metadata, params["code"], cookie_token)
    claims = await _id_claims(settings, provider, metadata, tokens, flow.nonce)
    wanted = ("email", "email_verified", provider.groups_claim)
    if metadata.userinfo_endpoint and any(name not in claims for name in wanted):
        claims = await _with_userinfo(settings, metadata.userinfo_endpoint, tokens, claims)
    return _login(provider, claims, flow.next_path, settings.sso_max_groups)


async def _exchange(
    settings: Settings,
    store: SecretStore,
    provider: ProviderConfig,
    metadata: Metadata,
    code: str,
    cookie_token: str,
) -> dict[str, Any]:
    secret = await client_secret(store, provider.id)
    try:
        async with _client(settings, provider, secret) as client:
            token = await client.fetch_token(
                metadata.token_endpoint, code=code, code_verifier=_verifier(cookie_token)
            )
    except OAuthError as exc:
        raise SsoRefused(
            f"The identity provider refused the authorization code ({exc.error})."
        ) from None
    except (httpx.HTTPError, ValueError):
        raise SsoRefused("The identity provider's token endpoint could not be used.") from None
    if not isinstance(token.get("id_token"), str):
        raise SsoRefused("The identity provider sent no ID token (is 'openid' in the scopes?).")
    return dict(token)


async def _id_claims(
    settings: Settings,
    provider: ProviderConfig,
    metadata: Metadata,
    tokens: dict[str, Any],
    nonce: str,
) -> dict[str, Any]:
    expected = Expected(
        issuer=metadata.issuer,
        client_id=provider.client_id,
        nonce=nonce,
        algorithms=metadata.signing_algs,
        leeway_s=settings.sso_clock_skew_s,
    )
    try:
        return validate(tokens["id_token"], await signing_keys(settings, provider), expected)
    except UnknownKey:
        keys = await signing_keys(settings, provider, refresh=True)
        try:
            return validate(tokens["id_token"], keys, expected)
        except UnknownKey:
            raise SsoRefused(
                "The ID token was signed with a key the identity provider does not publish."
            ) from None


async def _with_userinfo(
    settings: Settings, url: str, tokens: dict[str, Any], claims: dict[str, Any]
) -> dict[str, Any]:
    access = tokens.get("access_token")
    if not isinstance(access, str):
        return claims
    try:
        async with httpx.AsyncClient(timeout=settings.sso_http_timeout_s) as http:
            resp = await http.get(url, headers={"authorization": f"Bearer {access}"})
        resp.raise_for_status()
        info = resp.json()
    except (httpx.HTTPError, ValueError):
        raise SsoRefused("The identity provider's userinfo endpoint could not be used.") from None
    if not isinstance(info, dict) or info.get("sub") != claims["sub"]:
        raise SsoRefused("The identity provider's userinfo names another subject.")
    return {**info, **claims}


def _login(
    provider: ProviderConfig, claims: dict[str, Any], next_path: str, max_groups: int
) -> IdpLogin:
    raw_groups = claims.get(provider.groups_claim) or ()
    groups = (raw_groups,) if isinstance(raw_groups, str) else tuple(map(str, raw_groups))
    verified = claims.get("email_verified")
    email = str(claims.get("email") or "").strip().lower()
    return IdpLogin(
        provider=provider.id,
        subject=str(claims["sub"])[:255],
        email=email[:320],
        email_verified=verified is True or str(verified).lower() == "true",
        name=str(claims.get("name") or claims.get("preferred_username") or email)[:200],
        groups=tuple(g[:255] for g in groups[:max_groups]),
        next_path=next_path,
    )
