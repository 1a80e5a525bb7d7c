"""Checking a key with its provider without storing it: for keys that live outside the server.

The web page's session-only key (kept in the tab's ``sessionStorage``) and the CLI's local keys
(environment, OS keychain) are sent per request with ``X-Provider``/``X-Provider-Key`` and never
stored. Before a person relies on one, ``POST /api/keys/check`` asks the provider whether it
works and answers with the outcome and the key's fingerprint. Nothing is written: no row, no
Vault secret, no audit entry (the key is not the workspace's business until it pays for a call,
which the usage ledger records with key source ``request``).
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import post

from adapters import ApiKeyCredential, ModelNotFound, Secret
from workspace.errors import InvalidInput
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


@post("/api/keys/check", opt={"access": AUTHENTICATED}, operation_id="check_key", status_code=200)
async def check_key(data: KeyCheckIn, runtime: Runtime) -> KeyCheckOut:
    """Ask the provider whether a key works, storing nothing. ``status`` is the adapter's
    outcome (``valid``, ``invalid``, ``rate_limited``...); only named providers' API keys (an
    OpenAI-compatible server's key needs its base URL, which is stored with a saved key)."""
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
