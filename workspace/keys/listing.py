"""The model catalogue as each provider lists it, with the key that would pay.

For each provider, the key :mod:`workspace.keys.resolution` would choose for the member (personal,
workspace or platform) lists the models it can reach; the listing is cached per key
(:mod:`workspace.runtime.model_lists`) and merged with the static catalogue, whose entries keep
their context window, prices and vision. A model only the listing knows has no known price: own
keys may use it (its usage is flagged ``price_unknown``); the platform key never serves it, as
its cost could not be held in credits (:mod:`workspace.billing.holds`), so the catalogue leaves
such models out where the platform would pay. A provider that cannot list (no key, an outage,
a slow answer) shows its static catalogue, never an error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import ApiKeyCredential, ModelInfo, ModelNotFound, Provider, Secret
from adapters import Credential as AdapterCredential
from workspace.billing.plans import platform_allowed_for
from workspace.keys.models import Credential, WorkspacePolicy, vault_path
from workspace.keys.resolution import (
    KeySource,
    available_sources,
    choose_source,
    load_credential,
    load_platform_key,
    platform_permitted,
    policy_of,
)
from workspace.runtime import Runtime
from workspace.runtime.model_lists import Fetch
from workspace.secrets import paths
from workspace.secrets.vault import SecretStore
from workspace.teams.guards import Member


@dataclass(frozen=True)
class Payer:
    """The key that would pay for a provider's calls, and where its listing is cached."""

    source: KeySource | None
    cache_key: str | None = None
    fetch: Fetch | None = None


@dataclass(frozen=True)
class ProviderModels:
    """One provider's catalogue for a member: its models and whose key would pay."""

    provider: Provider
    models: tuple[ModelInfo, ...]
    source: KeySource | None
    listed: bool


def price_known(model: ModelInfo) -> bool:
    return model.input_price_per_mtok is not None and model.output_price_per_mtok is not None


def offered(runtime: Runtime) -> list[Provider]:
    """Providers the pickers offer: credential-file logins only when the operator enabled them."""
    enabled = {p.strip() for p in runtime.settings.credential_file_providers.split(",")}
    return [
        p for p in runtime.registry.providers() if not p.requires_operator_opt_in or p.id in enabled
    ]


async def _policy(session: AsyncSession, member: Member) -> tuple[WorkspacePolicy, bool]:
    """The workspace's policy and whether the platform's keys may serve it."""
    policy = await policy_of(session, member.workspace_id)
    return policy, platform_permitted(
        policy, await platform_allowed_for(session, member.workspace_id)
    )


def _lister(
    engine: AsyncEngine, secrets: SecretStore, provider: Provider, row: Credential | None
) -> Fetch:
    # A detached copy: a background refresh runs long after the request's session closed.
    copy = Credential(**row.model_dump()) if row is not None else None

    async def fetch() -> list[ModelInfo]:
        credential: AdapterCredential
        if copy is None:
            credential = await load_platform_key(secrets, provider.id)
        else:
            credential = await load_credential(engine, secrets, copy)
        return await provider.list_models(credential)

    return fetch


async def payer(
    session: AsyncSession,
    runtime: Runtime,
    policy: WorkspacePolicy,
    member: Member,
    provider: Provider,
    platform_ok: bool,
) -> Payer:
    """Which stored key would pay for this member's call to ``provider`` (no request key)."""
    available, rules, personal, workspace = await available_sources(
        session,
        policy,
        member.principal.user_id,
        provider.id,
        request_key=False,
        platform_allowed=platform_ok,
    )
    source = choose_source(available, rules)
    engine, secrets = runtime.engine, runtime.secrets
    row = personal if source == "personal" else workspace if source == "workspace" else None
    if row is not None:
        return Payer(source, vault_path(row), _lister(engine, secrets, provider, row))
    if source == "platform":
        return Payer(
            source, paths.platform_key(provider.id), _lister(engine, secrets, provider, None)
        )
    return Payer(source)


def merge(static: Sequence[ModelInfo], listed: Sequence[ModelInfo]) -> tuple[ModelInfo, ...]:
    """The listed models, each with the static entry's metadata when there is one: known
    models in the static order first, then the ones only the listing knows, by id."""
    ids = {m.id for m in listed}
    known = [m for m in static if m.id in ids]
    static_ids = {m.id for m in static}
    extra = {m.id: m for m in listed if m.id not in static_ids}
    return (*known, *(extra[i] for i in sorted(extra)))


async def provider_models(
    session: AsyncSession, runtime: Runtime, member: Member
) -> list[ProviderModels]:
    """Every offered provider's models for this member, listings fetched concurrently."""
    policy, platform_ok = await _policy(session, member)
    providers = offered(runtime)
    payers = [await payer(session, runtime, policy, member, p, platform_ok) for p in providers]
    timing = runtime.model_list_timing()
    listings = await asyncio.gather(
        *(
            runtime.model_lists.get(pay.cache_key, pay.fetch, timing)
            if pay.fetch is not None
            else _none()
            for pay in payers
        )
    )
    static = runtime.registry.models()
    out: list[ProviderModels] = []
    for provider, pay, listed in zip(providers, payers, listings, strict=True):
        own = [m for m in static if m.provider == provider.id]
        models = merge(own, listed) if listed is not None else tuple(own)
        if pay.source == "platform":
            models = tuple(m for m in models if price_known(m))
        out.append(ProviderModels(provider, models, pay.source, listed is not None))
    return out


async def _none() -> None:
    return None


async def forget_listings(session: AsyncSession, runtime: Runtime, member: Member) -> None:
    """Drop the cached listings of this member's paying keys, so the next catalogue asks again."""
    policy, platform_ok = await _policy(session, member)
    for provider in offered(runtime):
        pay = await payer(session, runtime, policy, member, provider, platform_ok)
        if pay.cache_key is not None:
            runtime.model_lists.evict(pay.cache_key)


async def find_model(
    session: AsyncSession,
    runtime: Runtime,
    member: Member,
    model_ref: str,
    request_key: Secret | None = None,
) -> tuple[Provider, ModelInfo]:
    """The provider and model for ``provider/model``: the static catalogue first, else the
    listing of the key that would pay (a request key's listing is fetched, never cached).

    Raises ``ModelNotFound`` when neither knows the model.
    """
    try:
        return runtime.registry.resolve_model(model_ref)
    except ModelNotFound:
        provider_id, _, model_id = model_ref.partition("/")
        if not model_id or provider_id not in {p.id for p in offered(runtime)}:
            raise
        provider = runtime.registry.get(provider_id)
        listed = await _listing(session, runtime, member, provider, request_key)
        for info in listed or ():
            if info.id == model_id:
                return provider, info
        raise


async def _listing(
    session: AsyncSession,
    runtime: Runtime,
    member: Member,
    provider: Provider,
    request_key: Secret | None,
) -> tuple[ModelInfo, ...] | None:
    timing = runtime.model_list_timing()
    if request_key is not None:
        key = ApiKeyCredential(request_key)

        async def fetch() -> list[ModelInfo]:
            return await provider.list_models(key)

        return await runtime.model_lists.get(None, fetch, timing)
    policy, platform_ok = await _policy(session, member)
    pay = await payer(session, runtime, policy, member, provider, platform_ok)
    if pay.fetch is None:
        return None
    return await runtime.model_lists.get(pay.cache_key, pay.fetch, timing)


async def refresh_loop(runtime: Runtime) -> None:
    """Fetch expired listings again every ``model_list_refresh_s`` (0: never), until cancelled."""
    interval = runtime.settings.model_list_refresh_s
    if interval <= 0:
        return
    while True:
        await asyncio.sleep(interval)
        await runtime.model_lists.refresh_expired(runtime.model_list_timing())
