"""A provider's client secret, kept in Vault only (``sso/<provider id>``): never in PostgreSQL,
the settings or their dump. No secret stored means a public client (PKCE alone)."""

from __future__ import annotations

from workspace.secrets.paths import sso_client_secret
from workspace.secrets.vault import SecretNotFound, SecretStore


async def set_client_secret(store: SecretStore, provider_id: str, secret: str) -> None:
    """Store (or replace) ``provider_id``'s client secret."""
    await store.write(sso_client_secret(provider_id), {"client_secret": secret})


async def delete_client_secret(store: SecretStore, provider_id: str) -> None:
    await store.destroy_all(sso_client_secret(provider_id))


async def client_secret(store: SecretStore, provider_id: str) -> str | None:
    """The stored secret, or None for a public client."""
    try:
        data, _ = await store.read(sso_client_secret(provider_id))
    except SecretNotFound:
        return None
    return data.get("client_secret") or None
