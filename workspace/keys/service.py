"""Adding, validating, rotating and deleting credentials (workspace-owned or personal).

The secret goes to Vault under a path made of ids; PostgreSQL keeps only metadata and a
fingerprint. A new key is validated through its adapter before it is trusted: one the provider
calls invalid is refused and nothing is stored (a rate-limited or unreachable check is stored
with its warning, since the key may be fine). On rotate, the new secret is checked first and
only then written, after which older Vault versions are destroyed.

A base URL (OpenAI-compatible servers) goes through the SSRF guard before anything else: one the
guard refuses is a 400 ``unsafe_base_url`` and nothing is stored. The refusal states the rule,
never what the name resolved to, which would let anyone map the internal DNS.

Labels are unique per owner (a workspace's keys; a user's personal keys), ignoring case: a
label picks one key out of a list, so two alike would be ambiguous. A unique constraint backs
this up against two concurrent adds.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import (
    ApiKeyCredential,
    ModelNotFound,
    Provider,
    ProviderRegistry,
    Secret,
    UnsafeBaseURL,
    ValidationResult,
    check_base_url,
)
from workspace.audit.actions import AuditAction
from workspace.audit.service import Actor, record
from workspace.db.columns import utcnow
from workspace.db.writes import Write, row_update
from workspace.errors import AppError, Conflict, InvalidInput, NotFound
from workspace.keys.models import LABEL_CONSTRAINTS, Credential, vault_path
from workspace.keys.resolution import load_credential
from workspace.secrets.eviction import announce
from workspace.secrets.vault import SecretStore


class CredentialRejected(AppError):
    code = "credential_rejected"


class CredentialInvalid(AppError):
    """The provider refused a new key outright; it was not stored."""

    code = "invalid_credentials"


class DuplicateLabel(Conflict):
    code = "duplicate_label"


class UnsafeBaseUrl(AppError):
    """A base URL this server must not connect to; refused before anything is stored."""

    code = "unsafe_base_url"


UNSAFE_BASE_URL_RULE = (
    "This base URL cannot be used. Base URLs must be public http(s) addresses that resolve: "
    "they must not point at private, loopback, link-local or metadata addresses; an operator "
    "can allow private addresses with SWITCHBOARD_ALLOW_PRIVATE_BASE_URLS."
)


NOT_SAVED = frozenset({"invalid"})
"""Validation outcomes that stop a new key from being stored: the provider said no. The rest
(rate-limited, quota, unreachable, error) say nothing certain about the key itself."""


@dataclass(frozen=True)
class Owner:
    """Whose credential: a workspace's (``workspace_id``) or a member's own (``user_id``)."""

    workspace_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None

    @property
    def scope(self) -> str:
        return "workspace" if self.workspace_id else "personal"


def creator(actor: Actor) -> uuid.UUID:
    """Credentials are always added by a signed-in user (the row's ``created_by``)."""
    if actor.user_id is None:
        raise ValueError("a credential needs the user who adds it")
    return actor.user_id


def _provider(registry: ProviderRegistry, provider_id: str) -> Provider:
    try:
        return registry.get(provider_id)
    except ModelNotFound:
        raise InvalidInput(
            f"Unknown provider {provider_id!r}.", extra={"field": "provider"}
        ) from None


async def refuse_unsafe_base_url(provider: Provider, base_url: str) -> None:
    """Run the SSRF guard with the provider's own settings and resolver (those its calls use).

    A malformed URL (scheme, user name, port...) gets the guard's own sentence, which only
    repeats what was typed. Anything about where the host leads, an internal address or a name
    that does not resolve, gets the same rule sentence: telling the two apart, or naming the
    address class, would turn this form into a probe of the internal network.
    """
    if not provider.needs_base_url:
        return
    try:
        await check_base_url(base_url, allow_private=True)  # the shape checks alone
    except UnsafeBaseURL as exc:
        raise UnsafeBaseUrl(exc.message, extra={"field": "base_url"}) from None
    try:
        await provider.vet_base_url(base_url)
    except UnsafeBaseURL:
        raise UnsafeBaseUrl(UNSAFE_BASE_URL_RULE, extra={"field": "base_url"}) from None


async def _check(provider: Provider, secret: str, base_url: str | None) -> ValidationResult:
    return await provider.validate(ApiKeyCredential(Secret(secret), base_url))


def _owned_by(owner: Owner) -> sa.ColumnElement[bool]:
    if owner.workspace_id:
        return sa.and_(
            col(Credential.scope) == "workspace", col(Credential.workspace_id) == owner.workspace_id
        )
    return sa.and_(col(Credential.scope) == "personal", col(Credential.user_id) == owner.user_id)


async def pick_label(session: AsyncSession, owner: Owner, label: str, default: str) -> str:
    """The label a new credential gets: the one typed, which must be free (409 otherwise), or
    ``default`` numbered until free ("OpenAI", "OpenAI 2", ...) when none was typed."""
    stmt = select(Credential.label).where(_owned_by(owner))
    taken = {t.casefold() for t in (await session.exec(stmt)).all()}
    typed = label.strip()
    if typed:
        if typed.casefold() in taken:
            raise DuplicateLabel(
                f"There is already a key labelled “{typed}”. Pick another label.",
                extra={"field": "label"},
            )
        return typed
    candidate, n = default, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{default} {n}"
    return candidate


async def flush_new(session: AsyncSession, secrets: SecretStore, credential: Credential) -> None:
    """Write a new credential's row; losing a race for its label is the same 409 as a taken
    one, and the secret already written to Vault for it is destroyed (no row would point at it).
    The unique index is checked at the INSERT, so the flush is where the race is lost."""
    try:
        await session.flush()
    except sa.exc.IntegrityError as exc:
        if LABEL_CONSTRAINTS & set(str(exc.orig).split('"')):
            await secrets.destroy_all(vault_path(credential))
            raise DuplicateLabel(
                f"There is already a key labelled “{credential.label}”. Pick another label.",
                extra={"field": "label"},
            ) from None
        raise


async def add_credential(
    session: AsyncSession,
    secrets: SecretStore,
    registry: ProviderRegistry,
    actor: Actor,
    owner: Owner,
    *,
    provider_id: str,
    label: str,
    secret: str,
    base_url: str | None,
) -> tuple[Credential, ValidationResult]:
    provider = _provider(registry, provider_id)
    if "api_key" not in provider.credential_kinds:
        raise InvalidInput(f"{provider.display_name} does not take an API key.")
    if base_url and not provider.needs_base_url:
        raise InvalidInput("Only OpenAI-compatible credentials take a base_url.")
    if provider.needs_base_url and not base_url:
        raise InvalidInput("An OpenAI-compatible credential needs its base_url.")
    if base_url:
        await refuse_unsafe_base_url(provider, base_url)
    label = await pick_label(session, owner, label, provider.display_name)
    result = await _check(provider, secret, base_url)
    if result.status in NOT_SAVED:
        raise CredentialInvalid(result.message, extra={"validation": result.status})
    credential = Credential(
        scope=owner.scope,
        workspace_id=owner.workspace_id,
        user_id=owner.user_id,
        provider=provider_id,
        label=label,
        kind="api_key",
        fingerprint=Secret(secret).fingerprint(),
        base_url=base_url,
        status=result.status,
        status_message=result.message,
        last_validated_at=utcnow(),
        created_by=creator(actor),
    )
    credential.vault_version = await secrets.write(vault_path(credential), {"secret": secret})
    session.add(credential)
    await record(
        session,
        actor,
        AuditAction.CREDENTIAL_CREATED,
        target_type="credential",
        target_id=credential.id,
        workspace_id=owner.workspace_id,
        details={
            "provider": provider_id,
            "fingerprint": credential.fingerprint,
            "scope": owner.scope,
        },
    )
    await flush_new(session, secrets, credential)
    return credential, result


async def list_credentials(session: AsyncSession, owner: Owner) -> Sequence[Credential]:
    stmt = select(Credential).where(_owned_by(owner)).order_by(col(Credential.created_at))
    return (await session.exec(stmt)).all()


async def get_credential(
    session: AsyncSession, owner: Owner, credential_id: uuid.UUID
) -> Credential:
    """The credential if ``owner`` owns it; 404 otherwise (another tenant's id reveals nothing)."""
    stmt = select(Credential).where(Credential.id == credential_id, _owned_by(owner))
    credential = (await session.exec(stmt)).first()
    if credential is None:
        raise NotFound("No such credential.")
    return credential


async def validate_credential(
    session: AsyncSession,
    engine: AsyncEngine,
    secrets: SecretStore,
    registry: ProviderRegistry,
    actor: Actor,
    owner: Owner,
    credential_id: uuid.UUID,
) -> tuple[Credential, ValidationResult]:
    credential = await get_credential(session, owner, credential_id)
    provider = _provider(registry, credential.provider)
    result = await provider.validate(await load_credential(engine, secrets, credential))
    credential.status, credential.status_message = result.status, result.message
    credential.last_validated_at = utcnow()
    session.add(credential)
    await record(
        session,
        actor,
        AuditAction.CREDENTIAL_VALIDATED,
        target_type="credential",
        target_id=credential.id,
        workspace_id=owner.workspace_id,
        details={"status": result.status},
    )
    await session.flush()
    return credential, result


async def rotate_credential(
    session: AsyncSession,
    secrets: SecretStore,
    registry: ProviderRegistry,
    actor: Actor,
    owner: Owner,
    credential_id: uuid.UUID,
    secret: str,
) -> tuple[Credential, ValidationResult]:
    """Check the new secret, write it as a new version, then destroy every older version."""
    credential = await get_credential(session, owner, credential_id)
    if credential.kind != "api_key":
        raise InvalidInput(
            "A credential-file login is renewed by pasting a fresh file as a new one."
        )
    provider = _provider(registry, credential.provider)
    result = await _check(provider, secret, credential.base_url)
    if not result.ok:
        raise CredentialRejected(result.message, extra={"validation": result.status})
    path = vault_path(credential)
    new_version = await secrets.write(path, {"secret": secret})
    older = [
        v
        for v, meta in (await secrets.versions(path)).items()
        if v < new_version and not meta.get("destroyed")
    ]
    await secrets.destroy_versions(path, older)
    await announce(session, secrets, path)
    old_fingerprint = credential.fingerprint
    credential.fingerprint = Secret(secret).fingerprint()
    credential.vault_version = new_version
    credential.status, credential.status_message = result.status, result.message
    credential.last_validated_at = utcnow()
    session.add(credential)
    await record(
        session,
        actor,
        AuditAction.CREDENTIAL_ROTATED,
        target_type="credential",
        target_id=credential.id,
        workspace_id=owner.workspace_id,
        details={"from": old_fingerprint, "to": credential.fingerprint},
    )
    await session.flush()
    return credential, result


async def delete_credential(
    session: AsyncSession,
    secrets: SecretStore,
    actor: Actor,
    owner: Owner,
    credential_id: uuid.UUID,
) -> None:
    """Destroy every Vault version and the metadata, then the row."""
    credential = await get_credential(session, owner, credential_id)
    await secrets.destroy_all(vault_path(credential))
    await announce(session, secrets, vault_path(credential))
    await session.delete(credential)
    await record(
        session,
        actor,
        AuditAction.CREDENTIAL_DELETED,
        target_type="credential",
        target_id=credential.id,
        workspace_id=owner.workspace_id,
        details={"provider": credential.provider, "fingerprint": credential.fingerprint},
    )
    await session.flush()


# A key's "last used" is precise to a minute: this process writes it at most once a minute.
LAST_USED_RESOLUTION_S = 60.0
_last_marked: dict[uuid.UUID, float] = {}


def mark_used(credential_id: uuid.UUID) -> Write | None:
    """The UPDATE of the key's ``last_used_at`` (no read first), at most once a minute per key
    and process: None when it was marked less than a minute ago. It runs after every call on a
    stored key, so the caller sends it with the call's other writes."""
    now = time.monotonic()
    if now - _last_marked.get(credential_id, -LAST_USED_RESOLUTION_S) < LAST_USED_RESOLUTION_S:
        return None
    if len(_last_marked) > 10_000:
        _last_marked.clear()
    _last_marked[credential_id] = now
    return row_update(Credential, "id", credential_id, {"last_used_at": utcnow()}, "key_")
