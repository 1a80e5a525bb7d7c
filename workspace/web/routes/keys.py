"""Key pages: "My keys" (personal keys and credential-file logins) and the admin keys tab.

One controller, :class:`KeyPages`, serves both: its subclasses say only where the page lives,
who may open it and whose keys it manages (the ``page`` dependency). Handlers only call the keys
services; how a write answers (redirect, or the page again with the refusal) is
:mod:`workspace.web.key_page`'s.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import Provide
from litestar.params import Parameter
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import ModelNotFound
from workspace.accounts.principal import Principal
from workspace.audit.service import Actor
from workspace.errors import AppError, InvalidInput
from workspace.keys import service as keys
from workspace.keys.oauth_service import add_oauth_credential, enabled_providers
from workspace.runtime import Runtime
from workspace.runtime.dependencies import AUTHENTICATED
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P
from workspace.web.key_page import (
    Flash,
    KeyPage,
    Shown,
    attempt,
    done_flash,
    render,
    secret_field,
)
from workspace.web.pages import field

ONE = "/{cred_id:uuid}"
Done = Annotated[str | None, Parameter(max_length=16)]
KeyId = Annotated[str | None, Parameter(max_length=64)]


def _takes_base_url(runtime: Runtime, provider_id: str) -> bool:
    """Whether keys of this provider say where its server is (the form's base URL field)."""
    try:
        return runtime.registry.get(provider_id).needs_base_url
    except ModelNotFound:
        return False  # adding the key refuses the unknown provider with its own sentence


class KeyPages(Controller):
    """The keys page of one owner: the list, the add form, and check/rotate/delete per key."""

    include_in_schema = False

    @get("/")
    async def show(self, page: KeyPage, done: Done = None, key: KeyId = None) -> Template:
        """The keys (metadata and fingerprints only: secrets stay in Vault) and the add form."""
        credentials = list(await keys.list_credentials(page.db, page.owner))
        return await render(page, done_flash(credentials, done, key))

    @post("/")
    async def add(self, page: KeyPage, form: FormMultiDict) -> Response[Any]:
        """Add an API key; it is validated at once."""
        runtime = page.runtime
        provider = field(form, "provider", 64)
        label = field(form, "label", 200)
        base_url = field(form, "base_url", 2000) if _takes_base_url(runtime, provider) else ""
        kept = Shown(add={"provider": provider, "label": label, "base_url": base_url}, form="add")

        async def action() -> str:
            if not provider:
                raise InvalidInput("Pick a provider.", extra={"field": "provider"})
            secret = secret_field(form, "secret", "Paste the key into the Key field.")
            cred, _ = await keys.add_credential(
                page.db,
                runtime.secrets,
                runtime.registry,
                page.actor,
                page.owner,
                provider_id=provider,
                label=label,
                secret=secret,
                base_url=base_url or None,
            )
            return page.done("added", cred.id)

        return await attempt(page, action, kept)

    @post(ONE + "/validate")
    async def validate(self, cred_id: uuid.UUID, page: KeyPage) -> Response[Any]:
        """Check a key again."""
        runtime = page.runtime

        async def action() -> str:
            cred, _ = await keys.validate_credential(
                page.db,
                runtime.engine,
                runtime.secrets,
                runtime.registry,
                page.actor,
                page.owner,
                cred_id,
            )
            return page.done("validated", cred.id)

        return await attempt(page, action, Shown(just=cred_id))

    @post(ONE + "/rotate")
    async def rotate(self, cred_id: uuid.UUID, page: KeyPage, form: FormMultiDict) -> Response[Any]:
        """Rotate a key: a rejected new key changes nothing."""
        runtime = page.runtime

        async def action() -> str:
            secret = secret_field(form, "secret", "Paste the new key to rotate to.")
            cred, _ = await keys.rotate_credential(
                page.db, runtime.secrets, runtime.registry, page.actor, page.owner, cred_id, secret
            )
            return page.done("rotated", cred.id)

        return await attempt(page, action, Shown(just=cred_id))

    @post(ONE + "/delete")
    async def delete(self, cred_id: uuid.UUID, page: KeyPage, form: FormMultiDict) -> Response[Any]:
        """Without ``confirm=yes`` this only asks (works without JavaScript); with it, deletes."""
        if field(form, "confirm", 8) != "yes":
            try:
                cred = await keys.get_credential(page.db, page.owner, cred_id)
            except AppError as exc:
                return await render(page, Shown(Flash(exc.detail, False), status=exc.status))
            return await render(page, Shown(just=cred.id, confirm=cred))

        async def action() -> str:
            await keys.delete_credential(
                page.db, page.runtime.secrets, page.actor, page.owner, cred_id
            )
            return page.done("removed")

        return await attempt(page, action)


async def personal_page(
    principal: Principal, actor: Actor, db: AsyncSession, runtime: Runtime
) -> KeyPage:
    owner = keys.Owner(user_id=principal.user_id)
    return KeyPage(principal, owner, "/keys", actor, db, runtime)


async def workspace_page(
    member: Member, actor: Actor, db: AsyncSession, runtime: Runtime
) -> KeyPage:
    owner = keys.Owner(workspace_id=member.workspace_id)
    base = f"/w/{member.workspace_id}/admin/keys"
    return KeyPage(member.principal, owner, base, actor, db, runtime, member)


class MyKeyPages(KeyPages):
    """Your personal keys, and (if the operator enabled any) subscription logins."""

    path = "/keys"
    opt = {"access": AUTHENTICATED}
    dependencies = {"page": Provide(personal_page)}

    @post("/files")
    async def add_login(self, page: KeyPage, form: FormMultiDict) -> Response[Any]:
        """Paste a credential file (operator-enabled providers only; always personal)."""
        runtime = page.runtime
        provider = field(form, "provider", 64)
        label = field(form, "label", 200)

        async def action() -> str:
            text = secret_field(form, "credentials_json", "Paste the whole credential file.")
            cred, _ = await add_oauth_credential(
                page.db,
                runtime.secrets,
                runtime.registry,
                page.actor,
                page.owner,
                provider_id=provider,
                label=label,
                credentials_json=text,
                enabled=enabled_providers(runtime.settings.credential_file_providers),
            )
            return page.done("added", cred.id)

        kept = Shown(file={"provider": provider, "label": label}, form="file")
        return await attempt(page, action, kept)


class WorkspaceKeyPages(KeyPages):
    """The admin console's keys tab: the workspace's provider keys."""

    path = "/w/{ws_id:uuid}/admin/keys"
    opt = {"access": P.CREDENTIALS_MANAGE}
    dependencies = {"page": Provide(workspace_page)}


KEY_PAGES = [MyKeyPages, WorkspaceKeyPages]
