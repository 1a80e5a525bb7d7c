"""Whose key serves a request. One rule, in one place (DESIGN: Key resolution):

1. a per-request key sent by the client (never stored);
2. the member's personal key for that provider, if the workspace allows personal keys;
3. the workspace's key for that provider;
4. the platform's hosted key, charged in credits, if the workspace's plan allows it.

The first that exists wins. :func:`choose_source` is the pure rule (table-tested);
:func:`resolve` gathers what exists from PostgreSQL and Vault and applies it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import ApiKeyCredential, Secret
from adapters import Credential as AdapterCredential
from workspace.errors import AppError
from workspace.keys.models import Credential, PlatformKey, WorkspacePolicy, vault_path
from workspace.keys.oauth_store import load_oauth_credential
from workspace.runtime.lookups import LookupCache, remembered
from workspace.secrets import paths
from workspace.secrets.vault import SecretStore

KeySource = Literal["request", "personal", "workspace", "platform"]
UNUSABLE = ("invalid", "expired")


class NoKeyAvailable(AppError):
    code = "no_key_available"


@dataclass(frozen=True)
class Available:
    """Which key sources exist for one provider, for one member, right now."""

    request: bool
    personal: bool
    workspace: bool
    platform: bool


@dataclass(frozen=True)
class Rules:
    personal_keys_allowed: bool
    platform_allowed: bool


def choose_source(available: Available, rules: Rules) -> KeySource | None:
    """The documented order; None when nothing may serve."""
    if available.request:
        return "request"
    if available.personal and rules.personal_keys_allowed:
        return "personal"
    if available.workspace:
        return "workspace"
    if available.platform and rules.platform_allowed:
        return "platform"
    return None


@dataclass(frozen=True)
class ResolvedKey:
    source: KeySource
    credential: AdapterCredential
    credential_id: uuid.UUID | None


def platform_permitted(policy: WorkspacePolicy, plan_allows: bool) -> bool:
    """Whether the platform's hosted keys may serve this workspace: its plan allows them and
    its policy is not "own keys only"."""
    return plan_allows and not policy.own_keys_only


async def policy_of(session: AsyncSession, workspace_id: uuid.UUID) -> WorkspacePolicy:
    policy = await session.get(WorkspacePolicy, workspace_id)
    return policy or WorkspacePolicy(workspace_id=workspace_id)


async def usable_credential(
    session: AsyncSession,
    provider: str,
    *,
    workspace_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
) -> Credential | None:
    """The newest usable credential of that owner for that provider."""
    stmt = select(Credential).where(
        Credential.provider == provider, col(Credential.status).not_in(UNUSABLE)
    )
    if workspace_id is not None:
        stmt = stmt.where(Credential.scope == "workspace", Credential.workspace_id == workspace_id)
    else:
        stmt = stmt.where(Credential.scope == "personal", Credential.user_id == user_id)
    return (await session.exec(stmt.order_by(col(Credential.created_at).desc()))).first()


async def available_sources(
    session: AsyncSession,
    policy: WorkspacePolicy,
    user_id: uuid.UUID,
    provider: str,
    *,
    request_key: bool,
    platform_allowed: bool,
    cache: LookupCache | None = None,
) -> tuple[Available, Rules, Credential | None, Credential | None]:
    async def load() -> tuple[Credential | None, Credential | None, bool]:
        personal = await usable_credential(session, provider, user_id=user_id)
        workspace = await usable_credential(session, provider, workspace_id=policy.workspace_id)
        platform = await session.get(PlatformKey, provider) is not None
        if cache is None:
            return personal, workspace, platform
        return _copied(personal), _copied(workspace), platform

    key = ("key sources", user_id, policy.workspace_id, provider)
    personal, workspace, platform = await remembered(cache, key, load)
    available = Available(request_key, personal is not None, workspace is not None, platform)
    return available, Rules(policy.personal_keys_allowed, platform_allowed), personal, workspace


def _copied(credential: Credential | None) -> Credential | None:
    """A row of no session, to be shared by the requests reading it from the cache."""
    return None if credential is None else Credential(**credential.model_dump())


async def load_credential(
    engine: AsyncEngine, secrets: SecretStore, credential: Credential
) -> AdapterCredential:
    """The adapter credential for a stored row: an API key, or a credential-file login."""
    if credential.kind == "oauth_credentials":
        return await load_oauth_credential(engine, secrets, credential)
    data, _ = await secrets.read(vault_path(credential))
    return ApiKeyCredential(Secret(data["secret"]), credential.base_url)


async def load_platform_key(secrets: SecretStore, provider: str) -> ApiKeyCredential:
    data, _ = await secrets.read(paths.platform_key(provider))
    return ApiKeyCredential(Secret(data["secret"]))


async def resolve(
    session: AsyncSession,
    engine: AsyncEngine,
    secrets: SecretStore,
    *,
    policy: WorkspacePolicy,
    user_id: uuid.UUID,
    provider: str,
    request_key: Secret | None,
    platform_allowed: bool,
    cache: LookupCache | None = None,
) -> ResolvedKey:
    """Apply the rule and load the chosen key (Vault errors propagate as 503, never a fallback).

    With ``cache``, which keys exist is remembered a moment (see :mod:`workspace.runtime.lookups`).
    """
    available, rules, personal, workspace = await available_sources(
        session,
        policy,
        user_id,
        provider,
        request_key=request_key is not None,
        platform_allowed=platform_allowed,
        cache=cache,
    )
    source = choose_source(available, rules)
    if source == "request":
        assert request_key is not None
        return ResolvedKey("request", ApiKeyCredential(request_key), None)
    if source == "personal":
        assert personal is not None
        return ResolvedKey(
            "personal", await load_credential(engine, secrets, personal), personal.id
        )
    if source == "workspace":
        assert workspace is not None
        return ResolvedKey(
            "workspace", await load_credential(engine, secrets, workspace), workspace.id
        )
    if source == "platform":
        return ResolvedKey("platform", await load_platform_key(secrets, provider), None)
    raise NoKeyAvailable(
        f"No key can serve {provider}: add a workspace key, your own key (if allowed), "
        "or send one with X-Provider-Key.",
        extra={"provider": provider},
    )
