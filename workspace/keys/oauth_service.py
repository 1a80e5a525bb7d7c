"""Credential-file (subscription) logins: adding one and loading it for a request.

These are the vendor CLIs' own OAuth logins (Gemini CLI, Claude Code, Qwen Code). Vendors
restrict them, so the operator enables each provider explicitly
(``SWITCHBOARD_CREDENTIAL_FILE_PROVIDERS``) and a file is always a member's personal
credential, never a shared workspace one. The whole file lives in Vault as
``{"credentials_json": ...}``; PostgreSQL keeps the fingerprint of its refresh token.
"""

from __future__ import annotations

import json

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters.manager import ProviderRegistry
from adapters.oauth import token_spec
from adapters.oauth.base import CredentialFileProvider
from adapters.oauth.files import InvalidCredentialFile
from adapters.oauth.memory import MemoryTokenStore
from adapters.provider import Provider
from adapters.types import OAuthCredential, ValidationResult, fingerprint
from workspace.audit.actions import AuditAction
from workspace.audit.service import Actor, record
from workspace.db.columns import utcnow
from workspace.errors import AppError, InvalidInput
from workspace.keys.models import Credential
from workspace.keys.oauth_store import EXPIRED_MESSAGE, FIELD, VaultOAuthStore, decode
from workspace.keys.resolution import vault_path
from workspace.keys.service import (
    NOT_SAVED,
    CredentialInvalid,
    Owner,
    creator,
    flush_new,
    pick_label,
)
from workspace.secrets.vault import SecretStore

KIND = "oauth_credentials"


class ProviderNotEnabled(AppError):
    code = "provider_not_enabled"


class CredentialFileNotPersonal(AppError):
    code = "credential_file_personal_only"


class CredentialFileRejected(AppError):
    code = "invalid_credential_file"


def enabled_providers(setting: str) -> frozenset[str]:
    """``SWITCHBOARD_CREDENTIAL_FILE_PROVIDERS`` ("gemini_cli,claude_code") as a set."""
    return frozenset(p.strip() for p in setting.split(",") if p.strip())


def credential_file_provider(
    registry: ProviderRegistry, provider_id: str
) -> CredentialFileProvider:
    """The provider that takes credential files under this id (422 if there is none)."""
    provider: Provider | None = next((p for p in registry.providers() if p.id == provider_id), None)
    if provider is None:
        raise InvalidInput(f"Unknown provider {provider_id!r}.", extra={"field": "provider"})
    if not isinstance(provider, CredentialFileProvider) or KIND not in provider.credential_kinds:
        raise InvalidInput(
            f"{provider.display_name} does not take a credential file.",
            extra={"field": "provider"},
        )
    return provider


def store_for(engine: AsyncEngine, secrets: SecretStore, row: Credential) -> VaultOAuthStore:
    """The Vault + advisory-lock store of one credential-file row."""
    spec = token_spec(row.provider)
    return VaultOAuthStore(
        engine, secrets, row, refresh_token_of=spec.refresh_token if spec else None
    )


async def load_oauth_credential(
    engine: AsyncEngine,
    secrets: SecretStore,
    credential_row: Credential,
) -> OAuthCredential:
    """The login a request uses: the file from Vault plus the store its refreshes go through.

    Key resolution calls this (instead of `load_credential`) for rows of kind
    ``oauth_credentials``. The cached read is fine: a refresh re-reads Vault inside the lock.
    """
    if credential_row.kind != KIND:
        raise ValueError("not a credential-file row")
    data, _ = await secrets.read(vault_path(credential_row))
    return OAuthCredential(decode(data), store_for(engine, secrets, credential_row))


async def add_oauth_credential(
    session: AsyncSession,
    secrets: SecretStore,
    registry: ProviderRegistry,
    actor: Actor,
    owner: Owner,
    *,
    provider_id: str,
    label: str,
    credentials_json: str,
    enabled: frozenset[str],
) -> tuple[Credential, ValidationResult]:
    """Check and store a member's pasted credential file (personal only, operator-enabled).

    The file is validated with the cheapest call first; that may refresh it, and a rotating
    vendor retires the pasted refresh token at once, so what is stored is the file as it stands
    after validation.
    """
    provider = credential_file_provider(registry, provider_id)
    if provider_id not in enabled:
        raise ProviderNotEnabled(
            f"{provider.display_name} logins are not enabled on this server. An operator can "
            "enable them with SWITCHBOARD_CREDENTIAL_FILE_PROVIDERS.",
            extra={"provider": provider_id},
        )
    if owner.user_id is None or owner.workspace_id is not None:
        raise CredentialFileNotPersonal(
            "Credential files are personal: add it under your own credentials, not the "
            "workspace's.",
            extra={"provider": provider_id},
        )
    try:
        parsed = provider.parse_credentials(credentials_json)
    except InvalidCredentialFile as exc:
        raise CredentialFileRejected(exc.message, extra={"field": "credentials_json"}) from None
    label = await pick_label(session, owner, label, provider.display_name)
    checking = MemoryTokenStore(parsed)
    result = await provider.validate(OAuthCredential(dict(parsed), checking))
    if result.status in NOT_SAVED:
        raise CredentialInvalid(result.message, extra={"validation": result.status})
    data = checking.data
    status: str = result.status
    message = result.message
    if checking.expired:
        status, message = "expired", EXPIRED_MESSAGE
    credential = Credential(
        scope="personal",
        user_id=owner.user_id,
        provider=provider_id,
        label=label,
        kind=KIND,
        fingerprint=fingerprint(provider.refresh_token_of(data)),
        status=status,
        status_message=message[:500],
        last_validated_at=utcnow(),
        created_by=creator(actor),
    )
    credential.vault_version = await secrets.write(
        vault_path(credential), {FIELD: json.dumps(data)}
    )
    session.add(credential)
    await record(
        session,
        actor,
        AuditAction.CREDENTIAL_CREATED,
        target_type="credential",
        target_id=credential.id,
        details={
            "provider": provider_id,
            "fingerprint": credential.fingerprint,
            "scope": "personal",
            "kind": KIND,
        },
    )
    await flush_new(session, secrets, credential)
    return credential, result
