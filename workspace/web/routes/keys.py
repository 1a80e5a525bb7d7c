"""Key pages: "My keys" (personal keys and credential-file logins) and the admin keys tab.

Handlers only call the keys services. Every write is a plain form POST that answers with a
redirect to the page (``?done=...&key=<id>``, never a secret) or, when a service refuses, the
page itself with the refusal's sentence in a flash (and next to the field it is about) and the
refusal's status code. A key the provider calls invalid is refused like that and never listed.
The secret a form carried is never echoed back: not in the page, the redirect URL or the flash.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import Parameter
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters.oauth.base import CredentialFileProvider
from adapters.provider import Provider
from workspace.accounts.principal import Principal
from workspace.config.settings import Settings
from workspace.errors import AppError, InvalidInput
from workspace.keys import service as keys
from workspace.keys.models import Credential
from workspace.keys.oauth_service import add_oauth_credential, enabled_providers
from workspace.runtime import Runtime
from workspace.runtime.dependencies import AUTHENTICATED
from workspace.teams import service as teams
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P
from workspace.web.pages import actor_of, field, form_of, page_member, page_principal
from workspace.web.shell import shell_context

MINE = "/keys"
ADMIN_KEYS = "/w/{ws_id:uuid}/admin/keys"
ONE = "/{cred_id:uuid}"
OPENAI_COMPATIBLE = "openai_compatible"
SECRET_MAX = 16_384  # as the JSON API's SecretText
DONE = ("added", "validated", "rotated", "removed")


@dataclass(frozen=True)
class Flash:
    """One sentence at the top of the page; ``ok`` picks the colour, ``warning`` softens a
    not-ok one (a key stored whose check could not finish, e.g. rate-limited)."""

    text: str
    ok: bool
    warning: bool = False

    @property
    def kind(self) -> str:
        return "success" if self.ok else "warning" if self.warning else "error"


@dataclass(frozen=True)
class KeyPage:
    """Whose keys a request manages and where the page's forms post."""

    principal: Principal
    owner: keys.Owner
    base: str
    member: Member | None = None

    def done(self, what: str, credential_id: uuid.UUID | None = None) -> str:
        suffix = f"&key={credential_id}" if credential_id else ""
        return f"{self.base}?done={what}{suffix}"


@dataclass
class Shown:
    """What a render adds on top of the stored keys: a flash, a row to mark, kept form input."""

    flash: Flash | None = None
    just: uuid.UUID | None = None
    confirm: Credential | None = None
    add: dict[str, str] = dataclass_field(default_factory=dict)
    file: dict[str, str] = dataclass_field(default_factory=dict)
    errors: dict[str, str] = dataclass_field(default_factory=dict)
    form: str = ""  # which form ``errors`` belong to: "add" or "file"
    status: int = 200


async def _personal(request: Request[Any, Any, Any], db: AsyncSession) -> KeyPage:
    principal = await page_principal(request, db)
    return KeyPage(principal, keys.Owner(user_id=principal.user_id), MINE)


async def _workspace(
    request: Request[Any, Any, Any], db: AsyncSession, ws_id: uuid.UUID
) -> KeyPage:
    member = await page_member(request, db, ws_id)
    owner = keys.Owner(workspace_id=member.workspace_id)
    return KeyPage(member.principal, owner, f"/w/{member.workspace_id}/admin/keys", member)


def _file_providers(runtime: Runtime) -> list[CredentialFileProvider]:
    """Credential-file providers the operator enabled (none unless they opted in)."""
    enabled = enabled_providers(runtime.settings.credential_file_providers)
    return [
        p
        for p in runtime.registry.providers()
        if isinstance(p, CredentialFileProvider) and p.id in enabled
    ]


def _api_key_providers(runtime: Runtime) -> list[Provider]:
    return [p for p in runtime.registry.providers() if "api_key" in p.credential_kinds]


async def _render(db: AsyncSession, runtime: Runtime, page: KeyPage, shown: Shown) -> Template:
    credentials = await keys.list_credentials(db, page.owner)
    context: dict[str, Any] = {
        "base": page.base,
        "credentials": credentials,
        "provider_names": {p.id: p.display_name for p in runtime.registry.providers()},
        "api_providers": _api_key_providers(runtime),
        "flash": shown.flash,
        "just": shown.just,
        "confirm": shown.confirm,
        "add": {"provider": "", "label": "", "base_url": ""} | shown.add,
        "file": {"provider": "", "label": ""} | shown.file,
        "errors": shown.errors,
        "errors_in": shown.form,
    }
    if page.member is None:
        rows = await teams.list_workspaces(db, page.principal.user_id)
        context |= {
            "me": page.principal,
            "csrf": page.principal.csrf_token or "",
            "workspaces": [ws for ws, _ in rows],
            "file_providers": _file_providers(runtime),
        }
        template = "keys/mine.html"
    else:
        context = await shell_context(db, page.member, "admin") | context | {"tab": "keys"}
        template = "admin/keys.html"
    return Template(template, context=context, status_code=shown.status)


def _done_flash(credentials: list[Credential], done: str | None, key: str | None) -> Shown:
    """The flash after a redirect: built from the stored row, so no secret can reach it."""
    if done not in DONE:
        return Shown()
    if done == "removed":
        return Shown(Flash("Key removed. Every stored version of its secret was destroyed.", True))
    try:
        cred_id = uuid.UUID(key or "")
    except ValueError:
        return Shown()
    cred = next((c for c in credentials if c.id == cred_id), None)
    if cred is None:
        return Shown()
    ok = cred.status == "valid"
    what = {
        "added": f"Added “{cred.label}” ({cred.fingerprint}).",
        "validated": f"Checked “{cred.label}” again.",
        "rotated": f"Rotated “{cred.label}”: it is now {cred.fingerprint}.",
    }[done]
    # Stored but not confirmed (rate-limited, unreachable...): a warning, not a failure.
    warning = cred.status != "invalid"
    flash = Flash(f"{what} {cred.status_message}".strip(), ok, warning)
    return Shown(flash, just=cred.id)


async def _attempt(
    db: AsyncSession,
    runtime: Runtime,
    page: KeyPage,
    action: Callable[[], Awaitable[str]],
    shown: Shown | None = None,
) -> Response[Any]:
    """Run a service call; on success go back to the page, on refusal show why on the page.

    Nothing half-done is kept: the session is rolled back before the page is drawn again, and
    every key that was stored before is listed as it was.
    """
    try:
        return Redirect(await action(), status_code=303)
    except AppError as exc:
        await db.rollback()
        text = exc.detail
        if isinstance(exc, keys.CredentialRejected):
            text = f"The new key was not accepted, so nothing changed: {exc.detail}"
        elif isinstance(exc, keys.CredentialInvalid):
            text = f"The key was not saved: {exc.detail}"
        shown = shown or Shown()
        shown.flash, shown.status = Flash(text, False), exc.status
        field_name = exc.extra.get("field")
        if isinstance(field_name, str):
            shown.errors[field_name] = exc.detail
        return await _render(db, runtime, page, shown)


def _secret(form: FormMultiDict, name: str, missing: str) -> str:
    """A pasted secret, whole: too long is refused, never cut short."""
    value = form.get(name)
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput(missing, extra={"field": name})
    if len(text) > SECRET_MAX:
        raise InvalidInput("That is longer than any key we accept.", extra={"field": name})
    return text


# --- shared handlers' bodies ---------------------------------------------------------------------
async def _page(
    db: AsyncSession, runtime: Runtime, page: KeyPage, done: str | None, key: str | None
) -> Template:
    credentials = list(await keys.list_credentials(db, page.owner))
    return await _render(db, runtime, page, _done_flash(credentials, done, key))


async def _add(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    runtime: Runtime,
    settings: Settings,
    page: KeyPage,
) -> Response[Any]:
    form = await form_of(request)
    provider = field(form, "provider", 64)
    label = field(form, "label", 200)
    base_url = field(form, "base_url", 2000) if provider == OPENAI_COMPATIBLE else ""
    kept = Shown(add={"provider": provider, "label": label, "base_url": base_url}, form="add")

    async def action() -> str:
        if not provider:
            raise InvalidInput("Pick a provider.", extra={"field": "provider"})
        secret = _secret(form, "secret", "Paste the key into the Key field.")
        cred, _ = await keys.add_credential(
            db,
            runtime.secrets,
            runtime.registry,
            actor_of(request, page.principal, settings.trust_forwarded_for),
            page.owner,
            provider_id=provider,
            label=label,
            secret=secret,
            base_url=base_url or None,
        )
        return page.done("added", cred.id)

    return await _attempt(db, runtime, page, action, kept)


async def _validate(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    runtime: Runtime,
    settings: Settings,
    page: KeyPage,
    cred_id: uuid.UUID,
) -> Response[Any]:
    async def action() -> str:
        cred, _ = await keys.validate_credential(
            db,
            runtime.engine,
            runtime.secrets,
            runtime.registry,
            actor_of(request, page.principal, settings.trust_forwarded_for),
            page.owner,
            cred_id,
        )
        return page.done("validated", cred.id)

    return await _attempt(db, runtime, page, action, Shown(just=cred_id))


async def _rotate(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    runtime: Runtime,
    settings: Settings,
    page: KeyPage,
    cred_id: uuid.UUID,
) -> Response[Any]:
    form = await form_of(request)

    async def action() -> str:
        secret = _secret(form, "secret", "Paste the new key to rotate to.")
        cred, _ = await keys.rotate_credential(
            db,
            runtime.secrets,
            runtime.registry,
            actor_of(request, page.principal, settings.trust_forwarded_for),
            page.owner,
            cred_id,
            secret,
        )
        return page.done("rotated", cred.id)

    return await _attempt(db, runtime, page, action, Shown(just=cred_id))


async def _delete(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    runtime: Runtime,
    settings: Settings,
    page: KeyPage,
    cred_id: uuid.UUID,
) -> Response[Any]:
    """Without ``confirm=yes`` this only asks (works without JavaScript); with it, deletes."""
    confirmed = field(await form_of(request), "confirm", 8) == "yes"
    if not confirmed:
        try:
            cred = await keys.get_credential(db, page.owner, cred_id)
        except AppError as exc:
            shown = Shown(Flash(exc.detail, False), status=exc.status)
            return await _render(db, runtime, page, shown)
        return await _render(db, runtime, page, Shown(just=cred.id, confirm=cred))

    async def action() -> str:
        await keys.delete_credential(
            db,
            runtime.secrets,
            actor_of(request, page.principal, settings.trust_forwarded_for),
            page.owner,
            cred_id,
        )
        return page.done("removed")

    return await _attempt(db, runtime, page, action)


# --- My keys: personal credentials ---------------------------------------------------------------
Done = Annotated[str | None, Parameter(max_length=16)]
KeyId = Annotated[str | None, Parameter(max_length=64)]


@get(MINE, opt={"access": AUTHENTICATED}, include_in_schema=False)
async def my_keys(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    runtime: Runtime,
    done: Done = None,
    key: KeyId = None,
) -> Template:
    """Your personal keys, the add form and (if enabled) subscription logins."""
    page = await _personal(request, db)
    return await _page(db, runtime, page, done, key)


@post(MINE, opt={"access": AUTHENTICATED}, include_in_schema=False)
async def add_my_key(
    request: Request[Any, Any, Any], db: AsyncSession, runtime: Runtime, settings: Settings
) -> Response[Any]:
    """Add a personal API key; it is validated at once."""
    page = await _personal(request, db)
    return await _add(request, db, runtime, settings, page)


@post(MINE + "/files", opt={"access": AUTHENTICATED}, include_in_schema=False)
async def add_my_login(
    request: Request[Any, Any, Any], db: AsyncSession, runtime: Runtime, settings: Settings
) -> Response[Any]:
    """Paste a credential file (operator-enabled providers only; always personal)."""
    page = await _personal(request, db)
    form = await form_of(request)
    provider = field(form, "provider", 64)
    label = field(form, "label", 200)

    async def action() -> str:
        text = _secret(form, "credentials_json", "Paste the whole credential file.")
        cred, _ = await add_oauth_credential(
            db,
            runtime.secrets,
            runtime.registry,
            actor_of(request, page.principal, settings.trust_forwarded_for),
            page.owner,
            provider_id=provider,
            label=label,
            credentials_json=text,
            enabled=enabled_providers(runtime.settings.credential_file_providers),
        )
        return page.done("added", cred.id)

    return await _attempt(
        db, runtime, page, action, Shown(file={"provider": provider, "label": label}, form="file")
    )


@post(MINE + ONE + "/validate", opt={"access": AUTHENTICATED}, include_in_schema=False)
async def validate_my_key(
    cred_id: uuid.UUID,
    request: Request[Any, Any, Any],
    db: AsyncSession,
    runtime: Runtime,
    settings: Settings,
) -> Response[Any]:
    """Check one of your keys again."""
    page = await _personal(request, db)
    return await _validate(request, db, runtime, settings, page, cred_id)


@post(MINE + ONE + "/rotate", opt={"access": AUTHENTICATED}, include_in_schema=False)
async def rotate_my_key(
    cred_id: uuid.UUID,
    request: Request[Any, Any, Any],
    db: AsyncSession,
    runtime: Runtime,
    settings: Settings,
) -> Response[Any]:
    """Rotate one of your keys: a rejected new key changes nothing."""
    page = await _personal(request, db)
    return await _rotate(request, db, runtime, settings, page, cred_id)


@post(MINE + ONE + "/delete", opt={"access": AUTHENTICATED}, include_in_schema=False)
async def delete_my_key(
    cred_id: uuid.UUID,
    request: Request[Any, Any, Any],
    db: AsyncSession,
    runtime: Runtime,
    settings: Settings,
) -> Response[Any]:
    """Ask to confirm, then remove one of your keys."""
    page = await _personal(request, db)
    return await _delete(request, db, runtime, settings, page, cred_id)


# --- Admin: workspace credentials -----------------------------------------------------------------
@get(ADMIN_KEYS, opt={"access": P.CREDENTIALS_MANAGE}, include_in_schema=False)
async def admin_keys(
    ws_id: uuid.UUID,
    request: Request[Any, Any, Any],
    db: AsyncSession,
    runtime: Runtime,
    done: Done = None,
    key: KeyId = None,
) -> Template:
    """Workspace provider keys: metadata and fingerprints only (secrets stay in Vault)."""
    page = await _workspace(request, db, ws_id)
    return await _page(db, runtime, page, done, key)


@post(ADMIN_KEYS, opt={"access": P.CREDENTIALS_MANAGE}, include_in_schema=False)
async def add_workspace_key(
    ws_id: uuid.UUID,
    request: Request[Any, Any, Any],
    db: AsyncSession,
    runtime: Runtime,
    settings: Settings,
) -> Response[Any]:
    """Add a workspace key; it is validated at once."""
    page = await _workspace(request, db, ws_id)
    return await _add(request, db, runtime, settings, page)


@post(ADMIN_KEYS + ONE + "/validate", opt={"access": P.CREDENTIALS_MANAGE}, include_in_schema=False)
async def validate_workspace_key(
    ws_id: uuid.UUID,
    cred_id: uuid.UUID,
    request: Request[Any, Any, Any],
    db: AsyncSession,
    runtime: Runtime,
    settings: Settings,
) -> Response[Any]:
    """Check a workspace key again."""
    page = await _workspace(request, db, ws_id)
    return await _validate(request, db, runtime, settings, page, cred_id)


@post(ADMIN_KEYS + ONE + "/rotate", opt={"access": P.CREDENTIALS_MANAGE}, include_in_schema=False)
async def rotate_workspace_key(
    ws_id: uuid.UUID,
    cred_id: uuid.UUID,
    request: Request[Any, Any, Any],
    db: AsyncSession,
    runtime: Runtime,
    settings: Settings,
) -> Response[Any]:
    """Rotate a workspace key: a rejected new key changes nothing."""
    page = await _workspace(request, db, ws_id)
    return await _rotate(request, db, runtime, settings, page, cred_id)


@post(ADMIN_KEYS + ONE + "/delete", opt={"access": P.CREDENTIALS_MANAGE}, include_in_schema=False)
async def delete_workspace_key(
    ws_id: uuid.UUID,
    cred_id: uuid.UUID,
    request: Request[Any, Any, Any],
    db: AsyncSession,
    runtime: Runtime,
    settings: Settings,
) -> Response[Any]:
    """Ask to confirm, then remove a workspace key."""
    page = await _workspace(request, db, ws_id)
    return await _delete(request, db, runtime, settings, page, cred_id)


KEY_PAGES = [
    my_keys,
    add_my_key,
    add_my_login,
    validate_my_key,
    rotate_my_key,
    delete_my_key,
    admin_keys,
    add_workspace_key,
    validate_workspace_key,
    rotate_workspace_key,
    delete_workspace_key,
]
