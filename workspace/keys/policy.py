"""Workspace model policy: which providers/models may be used, personal keys, BYOK failures."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import ModelInfo, ProviderRegistry
from workspace.audit.actions import AuditAction
from workspace.audit.service import Actor, record
from workspace.db.columns import utcnow
from workspace.errors import Forbidden, InvalidInput
from workspace.keys.listing import price_known, provider_models
from workspace.keys.models import WorkspacePolicy
from workspace.keys.resolution import platform_permitted as platform_permitted
from workspace.keys.resolution import policy_of
from workspace.keys.schemas import ModelOut, PolicyIO
from workspace.runtime import Runtime
from workspace.teams.guards import Member


class ModelNotAllowed(Forbidden):
    code = "model_not_allowed"


async def get_policy(session: AsyncSession, workspace_id: uuid.UUID) -> WorkspacePolicy:
    return await policy_of(session, workspace_id)


def to_io(policy: WorkspacePolicy) -> PolicyIO:
    return PolicyIO(
        policy.allowed_providers,
        policy.allowed_models,
        policy.personal_keys_allowed,
        "fallback" if policy.byok_failure == "fallback" else "fail",
        policy.own_keys_only,
    )


async def put_policy(
    session: AsyncSession,
    registry: ProviderRegistry,
    actor: Actor,
    workspace_id: uuid.UUID,
    data: PolicyIO,
) -> WorkspacePolicy:
    known = {p.id for p in registry.providers()}
    for provider in data.allowed_providers or []:
        if provider not in known:
            raise InvalidInput(
                f"Unknown provider {provider!r}.", extra={"field": "allowed_providers"}
            )
    for ref in data.allowed_models or []:
        if "/" not in ref or ref.split("/", 1)[0] not in known:
            raise InvalidInput(
                f"{ref!r} is not a 'provider/model' id.", extra={"field": "allowed_models"}
            )
    policy = await session.get(WorkspacePolicy, workspace_id) or WorkspacePolicy(
        workspace_id=workspace_id
    )
    policy.allowed_providers = data.allowed_providers
    policy.allowed_models = data.allowed_models
    policy.personal_keys_allowed = data.personal_keys_allowed
    policy.byok_failure = data.byok_failure
    policy.own_keys_only = data.own_keys_only
    policy.updated_at = utcnow()
    session.add(policy)
    await record(
        session,
        actor,
        AuditAction.POLICY_UPDATED,
        target_type="workspace",
        target_id=workspace_id,
        workspace_id=workspace_id,
        details={
            "personal_keys_allowed": data.personal_keys_allowed,
            "byok_failure": data.byok_failure,
            "own_keys_only": data.own_keys_only,
        },
    )
    await session.flush()
    return policy


def allows_model(policy: WorkspacePolicy, model: ModelInfo) -> bool:
    if policy.allowed_providers is not None and model.provider not in policy.allowed_providers:
        return False
    return policy.allowed_models is None or model.ref in policy.allowed_models


def require_allowed(policy: WorkspacePolicy, model: ModelInfo) -> None:
    if not allows_model(policy, model):
        raise ModelNotAllowed(
            f"{model.ref} is not allowed in this workspace's policy.", extra={"model": model.ref}
        )


async def catalogue(session: AsyncSession, runtime: Runtime, member: Member) -> list[ModelOut]:
    """Every model each provider lists for the key that would pay (its static catalogue when it
    cannot list), with whether policy allows it and which key source would serve it now."""
    policy = await policy_of(session, member.workspace_id)
    out: list[ModelOut] = []
    for group in await provider_models(session, runtime, member):
        for model in group.models:
            out.append(
                ModelOut(
                    model.ref,
                    model.provider,
                    model.display_name,
                    model.context_window,
                    model.input_price_per_mtok,
                    model.output_price_per_mtok,
                    allows_model(policy, model),
                    group.source,
                    price_known=price_known(model),
                    vision="image" in model.modalities,
                    listed=group.listed,
                )
            )
    return out
