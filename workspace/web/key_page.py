"""The keys page as a form: whose keys it shows, what a render adds, and how a write answers.

"My keys" and the admin keys tab are one page for two owners (:class:`KeyPage`). Every write
is a plain form POST that answers with a redirect to the page (``?done=...&key=<id>``, never a
secret) or, when a service refuses, the page itself with the refusal's sentence in a flash (and
next to the field it is about) and the refusal's status code. A key the provider calls invalid
is refused like that and never listed. The secret a form carried is never echoed back: not in
the page, the redirect URL or the flash.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from litestar import Response
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import CredentialFileProvider, Provider
from workspace.accounts.principal import Principal
from workspace.audit.service import Actor
from workspace.errors import AppError, InvalidInput
from workspace.keys import service as keys
from workspace.keys.models import Credential
from workspace.keys.oauth_service import enabled_providers
from workspace.runtime import Runtime
from workspace.teams import service as teams
from workspace.teams.guards import Member
from workspace.web.shell import shell_context

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
    """One request on a keys page: whose keys it manages, where the page's forms post, who
    acts (for the audit log) and the request's unit of work."""

    principal: Principal
    owner: keys.Owner
    base: str
    actor: Actor
    db: AsyncSession
    runtime: Runtime
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


def file_providers(runtime: Runtime) -> list[CredentialFileProvider]:
    """Credential-file providers the operator enabled (none unless they opted in)."""
    enabled = enabled_providers(runtime.settings.credential_file_providers)
    return [
        p
        for p in runtime.registry.providers()
        if isinstance(p, CredentialFileProvider) and p.id in enabled
    ]


def _api_key_providers(runtime: Runtime) -> list[Provider]:
    return [p for p in runtime.registry.providers() if "api_key" in p.credential_kinds]


async def render(page: KeyPage, shown: Shown) -> Template:
    db, runtime = page.db, page.runtime
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
            "file_providers": file_providers(runtime),
        }
        template = "keys/mine.html"
    else:
        context = await shell_context(db, page.member, "admin") | context | {"tab": "keys"}
        template = "admin/keys.html"
    return Template(template, context=context, status_code=shown.status)


def done_flash(credentials: list[Credential], done: str | None, key: str | None) -> Shown:
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


async def attempt(
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
        await page.db.rollback()
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
        return await render(page, shown)


def secret_field(form: FormMultiDict, name: str, missing: str) -> str:
    """A pasted secret, whole: too long is refused, never cut short."""
    value = form.get(name)
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput(missing, extra={"field": name})
    if len(text) > SECRET_MAX:
        raise InvalidInput("That is longer than any key we accept.", extra={"field": name})
    return text
