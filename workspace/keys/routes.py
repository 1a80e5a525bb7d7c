"""HTTP routes for credentials (workspace and personal), policy and the model catalogue.

Both owners share one controller: :class:`CredentialRoutes` holds the five handlers, and its two
subclasses say only where they live, who may use them and whose keys they manage (the ``owner``
dependency). A workspace's keys need the credential permissions; your own keys need only that
you are signed in.
"""

from __future__ import annotations

import uuid
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
    async def list_keys(self, owner: service.Owner, db: AsyncSession) -> list[CredentialOut]:
        """The keys: metadata and fingerprints only."""
        return [_out(c) for c in await service.list_credentials(db, owner)]

    @post("/", opt={"access": P.CREDENTIALS_MANAGE}, operation_id="add_{owner}_credential")
    async def add_key(
        self,
        data: CredentialIn,
        owner: service.Owner,
        actor: Actor,
        db: AsyncSession,
        runtime: Runtime,
    ) -> CredentialOut:
        """Add a key, validated at once: a key the provider refuses is not stored (422
        ``invalid_credentials``); a label already used by the owner is 409 ``duplicate_label``;
        a base URL the SSRF guard refuses is 400 ``unsafe_base_url``, before anything is
        stored. A credential-file login (operator-enabled providers only) is personal."""
        if data.credentials_json is not None and owner.user_id is not None:
            cred, result = await add_oauth_credential(
                db,
                runtime.secrets,
                runtime.registry,
                actor,
                owner,
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
    async def validate_key(
        self,
        cred_id: uuid.UUID,
        owner: service.Owner,
        actor: Actor,
        db: AsyncSession,
        runtime: Runtime,
    ) -> CredentialOut:
        """Check a stored key again."""
        cred, result = await service.validate_credential(
            db, runtime.engine, runtime.secrets, runtime.registry, actor, owner, cred_id
        )
        return _out(cred, result)

    @put(
        "/{cred_id:uuid}/secret",
        opt={"access": P.CREDENTIALS_MANAGE},
        operation_id="rotate_{owner}_credential",
    )
    async def rotate_key(
        self,
        cred_id: uuid.UUID,
        data: SecretIn,
        owner: service.Owner,
        actor: Actor,
        db: AsyncSession,
        runtime: Runtime,
    ) -> CredentialOut:
        """Rotate: the new key must validate; older Vault versions are then destroyed."""
        cred, result = await service.rotate_credential(
            db, runtime.secrets, runtime.registry, actor, owner, cred_id, data.secret.strip()
        )
        return _out(cred, result)

    @delete(
        "/{cred_id:uuid}",
        opt={"access": P.CREDENTIALS_MANAGE},
        operation_id="delete_{owner}_credential",
    )
    async def delete_key(
        self,
        cred_id: uuid.UUID,
        owner: service.Owner,
        actor: Actor,
        db: AsyncSession,
        runtime: Runtime,
    ) -> None:
        """Delete a key: every Vault version is destroyed."""
        await service.delete_credential(db, runtime.secrets, actor, owner, cred_id)


async def workspace_owner(member: Member) -> service.Owner:
    return service.Owner(workspace_id=member.workspace_id)


async def personal_owner(principal: Principal) -> service.Owner:
    return service.Owner(user_id=principal.user_id)


class WorkspaceCredentials(CredentialRoutes):
    """A workspace's keys, for members holding the credential permissions."""

    path = WS + "/credentials"
    owner_name = "ws"
    dependencies = {"owner": Provide(workspace_owner)}


class PersonalCredentials(CredentialRoutes):
    """Your own keys: any signed-in user manages their own."""

    path = "/api/me/credentials"
    owner_name = "my"
    dependencies = {"owner": Provide(personal_owner)}

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
    ],
    tags=["keys"],
)
