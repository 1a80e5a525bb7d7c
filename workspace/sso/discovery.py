"""An issuer's discovery document and signing keys, fetched over HTTP and cached per process.

The issuer URL comes from the operator, not from users; it still passes the SSRF guard
(``adapters.check_base_url``) unless ``SWITCHBOARD_SSO_ALLOW_PRIVATE_ISSUERS`` is on, and so do
the endpoints the document names. The document must name the issuer it was fetched for.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
from joserfc.jwk import KeySet

from adapters import UnsafeBaseURL, check_base_url
from workspace.config.settings import Settings
from workspace.sso.errors import SsoRefused
from workspace.sso.providers import ProviderConfig


@dataclass(frozen=True)
class Metadata:
    """The parts of an OpenID provider's discovery document Switchboard uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    end_session_endpoint: str | None
    signing_algs: tuple[str, ...]


@dataclass
class _Entry:
    expires: float
    metadata: Metadata
    keys: KeySet


_CACHE: dict[str, _Entry] = {}


async def _vet(settings: Settings, url: str) -> None:
    try:
        await check_base_url(url, allow_private=settings.sso_allow_private_issuers)
    except UnsafeBaseURL:
        raise SsoRefused(
            "The identity provider's address is not allowed (a private or loopback address); "
            "the operator can allow it with SWITCHBOARD_SSO_ALLOW_PRIVATE_ISSUERS."
        ) from None


async def _get_json(settings: Settings, url: str) -> dict[str, Any]:
    await _vet(settings, url)
    try:
        async with httpx.AsyncClient(timeout=settings.sso_http_timeout_s) as http:
            resp = await http.get(url, headers={"accept": "application/json"})
        resp.raise_for_status()
        body = resp.json()
    except (httpx.HTTPError, ValueError):
        raise SsoRefused("The identity provider could not be reached; try again shortly.") from None
    if not isinstance(body, dict):
        raise SsoRefused("The identity provider answered something that is not JSON.")
    return body


def _metadata(provider: ProviderConfig, doc: dict[str, Any]) -> Metadata:
    if str(doc.get("issuer", "")).rstrip("/") != provider.issuer:
        raise SsoRefused("The identity provider's discovery document names another issuer.")
    try:
        return Metadata(
            issuer=provider.issuer,
            authorization_endpoint=str(doc["authorization_endpoint"]),
            token_endpoint=str(doc["token_endpoint"]),
            jwks_uri=str(doc["jwks_uri"]),
            userinfo_endpoint=doc.get("userinfo_endpoint"),
            end_session_endpoint=doc.get("end_session_endpoint"),
            signing_algs=tuple(doc.get("id_token_signing_alg_values_supported") or ("RS256",)),
        )
    except KeyError as exc:
        raise SsoRefused(f"The identity provider's discovery document lacks {exc}.") from None


async def _load(settings: Settings, provider: ProviderConfig) -> _Entry:
    doc = await _get_json(settings, f"{provider.issuer}/.well-known/openid-configuration")
    metadata = _metadata(provider, doc)
    for url in (metadata.token_endpoint, metadata.userinfo_endpoint):
        if url:
            await _vet(settings, url)
    keys = await _keys(settings, metadata)
    return _Entry(time.monotonic() + settings.sso_metadata_ttl_s, metadata, keys)


async def _keys(settings: Settings, metadata: Metadata) -> KeySet:
    try:
        return KeySet.import_key_set(await _get_json(settings, metadata.jwks_uri))  # type: ignore[arg-type]
    except (ValueError, TypeError, KeyError):
        raise SsoRefused("The identity provider's signing keys could not be read.") from None


async def provider_metadata(settings: Settings, provider: ProviderConfig) -> Metadata:
    """The provider's discovery document (cached for ``SWITCHBOARD_SSO_METADATA_TTL_S``)."""
    return (await _entry(settings, provider)).metadata


async def signing_keys(
    settings: Settings, provider: ProviderConfig, *, refresh: bool = False
) -> KeySet:
    """The provider's JWKS; ``refresh`` fetches it again (a key rotated since we cached it)."""
    entry = await _entry(settings, provider)
    if refresh:
        entry.keys = await _keys(settings, entry.metadata)
    return entry.keys


async def _entry(settings: Settings, provider: ProviderConfig) -> _Entry:
    entry = _CACHE.get(provider.issuer)
    if entry is None or entry.expires < time.monotonic():
        entry = _CACHE[provider.issuer] = await _load(settings, provider)
    return entry
