"""Checking a key with its provider without storing it: for keys that live outside the server.

The web page's session-only key (kept in the tab's ``sessionStorage``) and the CLI's local keys
(environment, OS keychain) are sent per request with ``X-Provider``/``X-Provider-Key`` and never
stored. Before a person relies on one, ``POST /api/keys/check`` asks the provider whether it
works and answers with the outcome and the key's fingerprint. Nothing is written: no row, no
Vault secret, no audit entry (the key is not the workspace's business until it pays for a call,
which the usage ledger records with key source ``request``).
"""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec
from litestar import post
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import ApiKeyCredential, ModelNotFound, Secret
from workspace.accounts import ratelimit
from workspace.accounts.principal import Principal
from workspace.config.settings import Settings
from workspace.errors import InvalidInput, TooManyRequests
from workspace.runtime import Runtime
from workspace.runtime.dependencies import AUTHENTICATED

ProviderId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
SecretText = Annotated[str, msgspec.Meta(min_length=1, max_length=16_384)]


class KeyCheckIn(msgspec.Struct, forbid_unknown_fields=True):
    provider: ProviderId
    secret: SecretText


class KeyCheckOut(msgspec.Struct):
    provider: str
    status: str
    message: str
    fingerprint: str


CHECK_WINDOW_S = 3600


async def _count_check(db: AsyncSession, settings: Settings, user_id: uuid.UUID) -> None:
    """At most ``key_checks_per_hour`` per user: the route calls providers with any key it is
    given, which must not become a free way to test stolen keys in bulk."""
    count = await ratelimit.hit(db, f"key-check:{user_id}", CHECK_WINDOW_S)
    if count > settings.key_checks_per_hour:
        raise TooManyRequests(
            f"At most {settings.key_checks_per_hour} key checks an hour; try again later.",
            extra={"retry_after": ratelimit.seconds_left(CHECK_WINDOW_S)},
        )


@post("/api/keys/check", opt={"access": AUTHENTICATED}, operation_id="check_key", status_code=200)
async def check_key(
    data: KeyCheckIn, principal: Principal, db: AsyncSession, runtime: Runtime
) -> KeyCheckOut:
    """Ask the provider whether a key works, storing nothing. ``status`` is the adapter's
    outcome (``valid``, ``invalid``, ``rate_limited``...); only named providers' API keys (an
    OpenAI-compatible server's key needs its base URL, which is stored with a saved key).
    Limited per user (``SWITCHBOARD_KEY_CHECKS_PER_HOUR``; over it, 429 ``rate_limited``)."""
    await _count_check(db, runtime.settings, principal.user_id)
    try:
        provider = runtime.registry.get(data.provider)
    except ModelNotFound:
        raise InvalidInput(
            f"Unknown provider {data.provider!r}.", extra={"field": "provider"}
        ) from None
    if "api_key" not in provider.credential_kinds or provider.needs_base_url:
        raise InvalidInput(
            f"{provider.display_name} keys cannot be checked without storing them.",
            extra={"field": "provider"},
        )
    secret = Secret(data.secret.strip())
    result = await provider.validate(ApiKeyCredential(secret))
    return KeyCheckOut(provider.id, result.status, result.message, secret.fingerprint())
