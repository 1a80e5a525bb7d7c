"""Operator-hosted (platform) keys: stored in Vault under ``platform/<provider>``."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import ProviderRegistry, Secret
from workspace.audit.actions import AuditAction
from workspace.audit.service import Actor, record
from workspace.db.columns import utcnow
from workspace.errors import InvalidInput
from workspace.keys.models import PlatformKey
from workspace.secrets import paths
from workspace.secrets.vault import SecretStore


async def set_platform_key(
    session: AsyncSession,
    secrets: SecretStore,
    registry: ProviderRegistry,
    provider: str,
    secret: str,
) -> PlatformKey:
    if provider not in {p.id for p in registry.providers()}:
        raise InvalidInput(f"Unknown provider {provider!r}.")
    path = paths.platform_key(provider)
    version = await secrets.write(path, {"secret": secret})
    older = [
        v
        for v, meta in (await secrets.versions(path)).items()
        if v < version and not meta.get("destroyed")
    ]
    await secrets.destroy_versions(path, older)
    row = await session.get(PlatformKey, provider) or PlatformKey(provider=provider, fingerprint="")
    row.fingerprint = Secret(secret).fingerprint()
    row.updated_at = utcnow()
    session.add(row)
    await record(
        session,
        Actor(None, None),
        AuditAction.PLATFORM_KEY_SET,
        target_type="platform_key",
        target_id=provider,
        details={"fingerprint": row.fingerprint},
    )
    await session.flush()
    return row


async def delete_platform_key(session: AsyncSession, secrets: SecretStore, provider: str) -> None:
    await secrets.destroy_all(paths.platform_key(provider))
    row = await session.get(PlatformKey, provider)
    if row is not None:
        await session.delete(row)
    await record(
        session,
        Actor(None, None),
        AuditAction.PLATFORM_KEY_DELETED,
        target_type="platform_key",
        target_id=provider,
    )
    await session.flush()
