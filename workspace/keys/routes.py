"""HTTP routes for credentials (workspace and personal), policy and the model catalogue."""

from __future__ import annotations

import uuid

from litestar import Router, delete, get, post, put
from litestar.di import Provide
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters.types import ValidationResult
from workspace.accounts.principal import Principal
from workspace.audit.service import Actor
from workspace.errors import InvalidInput
from workspace.keys import policy as policy_service
from workspace.keys import service
from workspace.keys.models import Credential
from workspace.keys.oauth_service import (
    CredentialFileNotPersonal,
    add_oauth_credential,
    enabled_providers,
)
from workspace.keys.schemas import (
    CredentialIn,
    CredentialOut,
    ModelOut,
    PolicyIO,
    SecretIn,
    ValidationOut,
)
from workspace.runtime import Runtime
from workspace.runtime.dependencies import AUTHENTICATED
from workspace.teams.guards import Member, provide_member
from workspace.teams.roles import Permission as P


def _out(c: Credential, result: ValidationResult | None = None) -> CredentialOut:
    return CredentialOut(
        c.id,
        c.scope,
        c.provider,
        c.label,
        c.kind,
        c.fingerprint,
        c.base_url,
        c.status,
        c.status_message,
        c.last_validated_at,
        c.last_used_at,
        c.created_at,
        ValidationOut(result.status, result.message) if result else None,
    )


def _secret_of(data: CredentialIn) -> str:
    if data.credentials_json is not None:
        raise CredentialFileNotPersonal(
            "Credential-file logins are personal: paste them under your own keys (/api/me)."
        )
    if not data.secret:
        raise InvalidInput("Send the key in 'secret'.", extra={"field": "secret"})
    return data.secret.strip()


# --- workspace credentials ---------------------------------------------------------------------
WS = "/api/workspaces/{ws_id:uuid}"


@get(WS + "/credentials", opt={"access": P.CREDENTIALS_READ}, operation_id="list_ws_credentials")
async def list_ws(member: Member, db: AsyncSession) -> list[CredentialOut]:
    """Workspace keys: metadata and fingerprints only."""
    owner = service.Owner(workspace_id=member.workspace_id)
    return [_out(c) for c in await service.list_credentials(db, owner)]


@post(WS + "/credentials", opt={"access": P.CREDENTIALS_MANAGE}, operation_id="add_ws_credential")
async def add_ws(
    data: CredentialIn, member: Member, actor: Actor, db: AsyncSession, runtime: Runtime
) -> CredentialOut:
    """Add a workspace key, validated at once: a key the provider refuses is not stored (422
    ``invalid_credentials``); a label already used in the workspace is 409 ``duplicate_label``;
    a base URL the SSRF guard refuses is 400 ``unsafe_base_url``, before anything is stored."""
    owner = service.Owner(workspace_id=member.workspace_id)
    cred, result = await service.add_credential(
        db,
        runtime.secrets,
        runtime.registry,
        actor,
        owner,
        provider_id=data.provider,
        label=data.label,
        secret=_secret_of(data),
        base_url=data.base_url,
    )
    return _out(cred, result)


@post(
    WS + "/credentials/{cred_id:uuid}/validate",
    opt={"access": P.CREDENTIALS_MANAGE},
    operation_id="validate_ws_credential",
    status_code=200,
)
async def validate_ws(
    cred_id: uuid.UUID, member: Member, actor: Actor, db: AsyncSession, runtime: Runtime
) -> CredentialOut:
    """Check a stored workspace key again."""
    owner = service.Owner(workspace_id=member.workspace_id)
    cred, result = await service.validate_credential(
        db, runtime.engine, runtime.secrets, runtime.registry, actor, owner, cred_id
    )
    return _out(cred, result)


@put(
    WS + "/credentials/{cred_id:uuid}/secret",
    opt={"access": P.CREDENTIALS_MANAGE},
    operation_id="rotate_ws_credential",
)
async def rotate_ws(
    cred_id: uuid.UUID,
    data: SecretIn,
    member: Member,
    actor: Actor,
    db: AsyncSession,
    runtime: Runtime,
) -> CredentialOut:
    """Rotate: the new key must validate; older Vault versions are then destroyed."""
    owner = service.Owner(workspace_id=member.workspace_id)
    cred, result = await service.rotate_credential(
        db, runtime.secrets, runtime.registry, actor, owner, cred_id, data.secret.strip()
    )
    return _out(cred, result)


@delete(
    WS + "/credentials/{cred_id:uuid}",
    opt={"access": P.CREDENTIALS_MANAGE},
    operation_id="delete_ws_credential",
)
async def delete_ws(
    cred_id: uuid.UUID, member: Member, actor: Actor, db: AsyncSession, runtime: Runtime
) -> None:
    """Delete a workspace key: every Vault version is destroyed."""
    owner = service.Owner(workspace_id=member.workspace_id)
    await service.delete_credential(db, runtime.secrets, actor, owner, cred_id)


@get(WS + "/policy", opt={"access": P.POLICY_READ}, operation_id="get_policy")
async def get_policy(member: Member, db: AsyncSession) -> PolicyIO:
    """Allowed providers and models, personal keys, BYOK failure behaviour."""
    return policy_service.to_io(await policy_service.get_policy(db, member.workspace_id))


@put(WS + "/policy", opt={"access": P.POLICY_MANAGE}, operation_id="put_policy")
async def put_policy(
    data: PolicyIO, member: Member, actor: Actor, db: AsyncSession, runtime: Runtime
) -> PolicyIO:
    """Replace the workspace's model policy."""
    saved = await policy_service.put_policy(db, runtime.registry, actor, member.workspace_id, data)
    return policy_service.to_io(saved)


@get(WS + "/models", opt={"access": P.WORKSPACE_READ}, operation_id="list_models")
async def list_models(member: Member, db: AsyncSession, runtime: Runtime) -> list[ModelOut]:
    """The model catalogue, with which key would pay for each model for the caller right now."""
    return await policy_service.catalogue(db, runtime, member)


ws_keys_router = Router(
    "/",
    route_handlers=[
        list_ws,
        add_ws,
        validate_ws,
        rotate_ws,
        delete_ws,
        get_policy,
        put_policy,
        list_models,
    ],
    dependencies={"member": Provide(provide_member)},
    tags=["keys"],
)


# --- personal credentials ----------------------------------------------------------------------
@get("/", opt={"access": AUTHENTICATED}, operation_id="list_my_credentials")
async def list_mine(principal: Principal, db: AsyncSession) -> list[CredentialOut]:
    """Your own keys: metadata and fingerprints only."""
    return [
        _out(c)
        for c in await service.list_credentials(db, service.Owner(user_id=principal.user_id))
    ]


@post("/", opt={"access": AUTHENTICATED}, operation_id="add_my_credential")
async def add_mine(
    data: CredentialIn, principal: Principal, actor: Actor, db: AsyncSession, runtime: Runtime
) -> CredentialOut:
    """Add a personal key, or paste a credential-file login (operator-enabled providers only).

    As for workspace keys: refused keys and unsafe base URLs are not stored, labels are unique
    among your own keys.
    """
    if data.credentials_json is not None:
        cred, result = await add_oauth_credential(
            db,
            runtime.secrets,
            runtime.registry,
            actor,
            service.Owner(user_id=principal.user_id),
            provider_id=data.provider,
            label=data.label,
            credentials_json=data.credentials_json,
            enabled=enabled_providers(runtime.settings.credential_file_providers),
        )
        return _out(cred, result)
    cred, result = await service.add_credential(
        db,
        runtime.secrets,
        runtime.registry,
        actor,
        service.Owner(user_id=principal.user_id),
        provider_id=data.provider,
        label=data.label,
        secret=_secret_of(data),
        base_url=data.base_url,
    )
    return _out(cred, result)


@post(
    "/{cred_id:uuid}/validate",
    opt={"access": AUTHENTICATED},
    operation_id="validate_my_credential",
    status_code=200,
)
async def validate_mine(
    cred_id: uuid.UUID, principal: Principal, actor: Actor, db: AsyncSession, runtime: Runtime
) -> CredentialOut:
    """Check one of your keys again."""
    owner = service.Owner(user_id=principal.user_id)
    cred, result = await service.validate_credential(
        db, runtime.engine, runtime.secrets, runtime.registry, actor, owner, cred_id
    )
    return _out(cred, result)


@put("/{cred_id:uuid}/secret", opt={"access": AUTHENTICATED}, operation_id="rotate_my_credential")
async def rotate_mine(
    cred_id: uuid.UUID,
    data: SecretIn,
    principal: Principal,
    actor: Actor,
    db: AsyncSession,
    runtime: Runtime,
) -> CredentialOut:
    """Rotate one of your keys."""
    owner = service.Owner(user_id=principal.user_id)
    cred, result = await service.rotate_credential(
        db, runtime.secrets, runtime.registry, actor, owner, cred_id, data.secret.strip()
    )
    return _out(cred, result)


@delete("/{cred_id:uuid}", opt={"access": AUTHENTICATED}, operation_id="delete_my_credential")
async def delete_mine(
    cred_id: uuid.UUID, principal: Principal, actor: Actor, db: AsyncSession, runtime: Runtime
) -> None:
    """Delete one of your keys (every Vault version destroyed)."""
    await service.delete_credential(
        db, runtime.secrets, actor, service.Owner(user_id=principal.user_id), cred_id
    )


my_keys_router = Router(
    "/api/me/credentials",
    route_handlers=[list_mine, add_mine, validate_mine, rotate_mine, delete_mine],
    tags=["keys"],
)
