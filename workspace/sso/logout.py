"""RP-initiated logout: after Switchboard's own session ends, the IdP's session can end too.

Offered when the session signed in through a provider whose discovery document names an
``end_session_endpoint`` (and the operator left ``rp_logout`` on). The IdP is sent our
``client_id`` and where to come back (``/login``); no ID token is kept to send as a hint.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.config.settings import Settings
from workspace.sso.discovery import provider_metadata
from workspace.sso.errors import SsoRefused
from workspace.sso.models import SessionSignIn
from workspace.sso.providers import configured


@dataclass(frozen=True)
class IdpLogout:
    label: str
    url: str


async def idp_logout(
    db: AsyncSession, settings: Settings, session_key: str | None
) -> IdpLogout | None:
    """Where to end the IdP's session too, for a session that signed in with SSO."""
    row = await db.get(SessionSignIn, session_key) if session_key else None
    if row is None or row.method != "sso" or row.provider is None:
        return None
    provider = configured(settings).get(row.provider)
    if provider is None or not provider.rp_logout:
        return None
    try:
        metadata = await provider_metadata(settings, provider)
    except SsoRefused:
        return None
    if not metadata.end_session_endpoint:
        return None
    query = urlencode(
        {
            "client_id": provider.client_id,
            "post_logout_redirect_uri": f"{settings.resolved_public_url}/login",
        }
    )
    sep = "&" if "?" in metadata.end_session_endpoint else "?"
    return IdpLogout(provider.label, f"{metadata.end_session_endpoint}{sep}{query}")
