"""Credential-file (subscription) logins: adding one and loading it for a request.

These are the vendor CLIs' own OAuth logins (Gemini CLI, Claude Code, Qwen Code). Vendors
restrict them, so the operator enables each provider explicitly
(``SWITCHBOARD_CREDENTIAL_FILE_PROVIDERS``) and a file is always a member's personal
credential, never a shared workspace one. The whole file lives in Vault as
``{"credentials_json": ...}``; PostgreSQL keeps the fingerprint of its refresh token.
"""

from __future__ import annotations

import json

from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import (
    CredentialFileProvider,
    InvalidCredentialFile,
    MemoryTokenStore,
    ModelNotFound,
    OAuthCredential,
    ProviderRegistry,
    ValidationResult,
    fingerprint,
)
from workspace.audit.actions import AuditAction
from workspace.audit.service import Actor, record
from workspace.db.columns import utcnow
from workspace.errors import AppError, InvalidInput
from workspace.keys.models import Credential, vault_path
from workspace.keys.oauth_store import EXPIRED_MESSAGE, FIELD, KIND
from workspace.keys.service import (
    NOT_SAVED,
    CredentialInvalid,
    Owner,
    creator,
    flush_new,
    pick_label,
)
from workspace.secrets.vault import SecretStore


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
    try:
        provider = registry.get(provider_id)
    except ModelNotFound:
        raise InvalidInput(
            f"Unknown provider {provider_id!r}.", extra={"field": "provider"}
        ) from None
    if not isinstance(provider, CredentialFileProvider) or KIND not in provider.credential_kinds:
        raise InvalidInput(
            f"{provider.display_name} does not take a credential file.",
            extra={"field": "provider"},
        )
    return provider


def _enabled_personal_provider(
    registry: ProviderRegistry, owner: Owner, provider_id: str, enabled: frozenset[str]
) -> CredentialFileProvider:
    """The provider a login is pasted for, if the operator enabled it and the owner is a member."""
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
    return provider


async def _checked(
    provider: CredentialFileProvider, parsed: dict[str, object]
) -> tuple[dict[str, object], ValidationResult, str, str]:
    """The file as it stands after validation, the result, and the status and message to store.

    Validation makes the cheapest call first; that may refresh the file, and a rotating vendor
    retires the pasted refresh token at once, so what is stored is the file afterwards.
    """
    checking = MemoryTokenStore(parsed)
    result = await provider.validate(OAuthCredential(dict(parsed), checking))
    if result.status in NOT_SAVED:
        raise CredentialInvalid(result.message, extra={"validation": result.status})
    if checking.expired:
        return checking.data, result, "expired", EXPIRED_MESSAGE
    return checking.data, result, result.status, result.message


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
    """Check and store a member's pasted credential file (personal only, operator-enabled)."""
    provider = _enabled_personal_provider(registry, owner, provider_id, enabled)
    try:
        parsed = provider.parse_credentials(credentials_json)
    except InvalidCredentialFile as exc:
        raise CredentialFileRejected(exc.message, extra={"field": "credentials_json"}) from None
    label = await pick_label(session, owner, label, provider.display_name)
    data, result, status, message = await _checked(provider, parsed)
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
