"""HTTP routes for credentials (workspace and personal), policy and the model catalogue.

Both owners share one controller: :class:`CredentialRoutes` holds the five handlers, and its two
subclasses say only where they live, who may use them and whose keys they manage (the
``keyring`` dependency). A workspace's keys need the credential permissions; your own keys
need only that you are signed in.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

from litestar import Controller, Router, delete, get, post, put
from litestar.di import Provide
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import ValidationResult
from workspace.accounts.principal import Principal
from workspace.audit.service import Actor
from workspace.errors import InvalidInput
from workspace.keys import policy as policy_service
from workspace.keys import service
from workspace.keys.check import check_key
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
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P

WS = "/api/workspaces/{ws_id:uuid}"


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


@dataclass(frozen=True)
class Keyring:
    """One request on an owner's keys: whose keys, who acts (for the audit log), and the
    request's unit of work and runtime."""

    owner: service.Owner
    actor: Actor
    db: AsyncSession
    runtime: Runtime


class CredentialRoutes(Controller):
    """A key owner's credentials: list, add (validated at once), check again, rotate, delete.

    Handlers declare the workspace permission they need and ``{owner}`` in their operation id;
    a subclass names the owner (``ws``/``my``) and may grant every permission as it sees fit.
    """

    tags = ["keys"]
    owner_name: ClassVar[str]

    def access(self, permission: P) -> P | str:
        return permission

    def get_route_handlers(self) -> list[BaseRouteHandler]:
        handlers = super().get_route_handlers()
        for handler in handlers:  # deep copies, this controller's own
            handler.opt["access"] = self.access(handler.opt["access"])
            if isinstance(handler, HTTPRouteHandler) and handler.operation_id:
                handler.operation_id = str(handler.operation_id).format(owner=self.owner_name)
        return handlers

    @get("/", opt={"access": P.CREDENTIALS_READ}, operation_id="list_{owner}_credentials")
    async def list_keys(self, keyring: Keyring) -> list[CredentialOut]:
        """The keys: metadata and fingerprints only."""
        return [_out(c) for c in await service.list_credentials(keyring.db, keyring.owner)]

    @post("/", opt={"access": P.CREDENTIALS_MANAGE}, operation_id="add_{owner}_credential")
    async def add_key(self, data: CredentialIn, keyring: Keyring) -> CredentialOut:
        """Add a key, validated at once: a key the provider refuses is not stored (422
        ``invalid_credentials``); a label already used by the owner is 409 ``duplicate_label``;
        a base URL the SSRF guard refuses is 400 ``unsafe_base_url``, before anything is
        stored. A credential-file login (operator-enabled providers only) is personal."""
        owner, runtime = keyring.owner, keyring.runtime
        if data.credentials_json is not None and owner.user_id is not None:
            cred, result = await add_oauth_credential(
                keyring.db,
                runtime.secrets,
                runtime.registry,
                keyring.actor,
                owner,
                provider_id=data.provider,
                label=data.label,
                credentials_json=data.credentials_json,
                enabled=enabled_providers(runtime.settings.credential_file_providers),
            )
            return _out(cred, result)
        cred, result = await service.add_credential(
            keyring.db,
            runtime.secrets,
            runtime.registry,
            keyring.actor,
            owner,
            provider_id=data.provider,
            label=data.label,
            secret=_secret_of(data),
            base_url=data.base_url,
        )
        return _out(cred, result)

    @post(
        "/{cred_id:uuid}/validate",
        opt={"access": P.CREDENTIALS_MANAGE},
        operation_id="validate_{owner}_credential",
        status_code=200,
    )
    async def validate_key(self, cred_id: uuid.UUID, keyring: Keyring) -> CredentialOut:
        """Check a stored key again."""
        rt = keyring.runtime
        cred, result = await service.validate_credential(
            keyring.db, rt.engine, rt.secrets, rt.registry, keyring.actor, keyring.owner, cred_id
        )
        return _out(cred, result)

    @put(
        "/{cred_id:uuid}/secret",
        opt={"access": P.CREDENTIALS_MANAGE},
        operation_id="rotate_{owner}_credential",
    )
    async def rotate_key(
        self, cred_id: uuid.UUID, data: SecretIn, keyring: Keyring
    ) -> CredentialOut:
        """Rotate: the new key must validate; older Vault versions are then destroyed."""
        rt, secret = keyring.runtime, data.secret.strip()
        cred, result = await service.rotate_credential(
            keyring.db, rt.secrets, rt.registry, keyring.actor, keyring.owner, cred_id, secret
        )
        return _out(cred, result)

    @delete(
        "/{cred_id:uuid}",
        opt={"access": P.CREDENTIALS_MANAGE},
        operation_id="delete_{owner}_credential",
    )
    async def delete_key(self, cred_id: uuid.UUID, keyring: Keyring) -> None:
        """Delete a key: every Vault version is destroyed."""
        secrets = keyring.runtime.secrets
        await service.delete_credential(keyring.db, secrets, keyring.actor, keyring.owner, cred_id)


async def workspace_keyring(
    member: Member, actor: Actor, db: AsyncSession, runtime: Runtime
) -> Keyring:
    return Keyring(service.Owner(workspace_id=member.workspace_id), actor, db, runtime)


async def personal_keyring(
    principal: Principal, actor: Actor, db: AsyncSession, runtime: Runtime
) -> Keyring:
    return Keyring(service.Owner(user_id=principal.user_id), actor, db, runtime)


class WorkspaceCredentials(CredentialRoutes):
    """A workspace's keys, for members holding the credential permissions."""

    path = WS + "/credentials"
    owner_name = "ws"
    dependencies = {"keyring": Provide(workspace_keyring)}


class PersonalCredentials(CredentialRoutes):
    """Your own keys: any signed-in user manages their own."""

    path = "/api/me/credentials"
    owner_name = "my"
    dependencies = {"keyring": Provide(personal_keyring)}

    def access(self, permission: P) -> P | str:
        return AUTHENTICATED


# --- workspace policy and the model catalogue --------------------------------------------------
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


keys_router = Router(
    "/",
    route_handlers=[
        WorkspaceCredentials,
        PersonalCredentials,
        get_policy,
        put_policy,
        list_models,
        check_key,
    ],
    tags=["keys"],
)
