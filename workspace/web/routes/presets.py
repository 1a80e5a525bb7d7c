"""The presets page: the caller's presets and the workspace's shared library, with forms to
create, edit and delete them (plain form posts; the rules: :mod:`workspace.presets.service`)."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.audit.service import Actor
from workspace.errors import InvalidInput
from workspace.presets import service
from workspace.presets.schemas import PresetIn
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P
from workspace.web.pages import field
from workspace.web.presets import PICKER_LIMIT
from workspace.web.shell import shell_context

PRESETS = "/w/{ws_id:uuid}/presets"
PRESET = PRESETS + "/{preset_id:uuid}"
_OPTIONAL = ("model", "temperature", "top_p", "max_output_tokens")


def _preset_in(form: FormMultiDict) -> PresetIn:
    """The posted form as the API's body: empty optional fields are the provider's default."""
    raw: dict[str, Any] = {
        "name": field(form, "name", 200),
        "description": field(form, "description", 2000),
        "system_prompt": (form.get("system_prompt") or "").replace("\r\n", "\n").strip(),
        "shared": field(form, "shared", 8) == "1",
    }
    for name in _OPTIONAL:
        value = field(form, name, 200)
        raw[name] = value or None
    try:
        return msgspec.convert(raw, PresetIn, strict=False)
    except msgspec.ValidationError as exc:
        raise InvalidInput(f"The preset was not saved: {exc}.") from None


def _back(ws_id: uuid.UUID) -> Redirect:
    return Redirect(f"/w/{ws_id}/presets", status_code=303)


@get(PRESETS, opt={"access": P.CONVERSATIONS_READ}, include_in_schema=False)
async def presets_page(member: Member, db: AsyncSession) -> Template:
    """Your presets and the shared library; each can start a chat or a compare."""
    rows = await service.list_presets(db, member, PICKER_LIMIT)
    context = await shell_context(db, member, "presets")
    can_share = member.can(P.PRESETS_SHARE)
    uid = member.principal.user_id
    mine = [p for p in rows if p.owner_id == uid and not p.shared]
    shared = [p for p in rows if p.shared]
    return Template(
        "presets.html",
        context=context
        | {
            "mine": mine,
            "shared": shared,
            "can_share": can_share,
            "can_write": member.can(P.CONVERSATIONS_WRITE),
        },
    )


@post(PRESETS, opt={"access": P.CONVERSATIONS_WRITE}, include_in_schema=False)
async def create_preset_page(
    member: Member, actor: Actor, form: FormMultiDict, db: AsyncSession
) -> Redirect:
    """Create a preset from the form."""
    data = _preset_in(form)
    fields = {k: v for k, v in msgspec.structs.asdict(data).items() if k in service.EDITABLE}
    await service.create_preset(db, actor, member, fields, data.shared)
    return _back(member.workspace_id)


@post(PRESET, opt={"access": P.CONVERSATIONS_WRITE}, include_in_schema=False)
async def update_preset_page(
    preset_id: uuid.UUID, member: Member, actor: Actor, form: FormMultiDict, db: AsyncSession
) -> Redirect:
    """Save the edit form (sharing changes only for members who may share)."""
    data = _preset_in(form)
    fields = {k: v for k, v in msgspec.structs.asdict(data).items() if k in service.EDITABLE}
    shared = data.shared if member.can(P.PRESETS_SHARE) else None
    await service.update_preset(db, actor, member, preset_id, fields, shared)
    return _back(member.workspace_id)


@post(PRESET + "/delete", opt={"access": P.CONVERSATIONS_WRITE}, include_in_schema=False)
async def delete_preset_page(
    preset_id: uuid.UUID, member: Member, actor: Actor, db: AsyncSession
) -> Redirect:
    """Delete a preset (yours, or a shared one with ``presets.share``)."""
    await service.delete_preset(db, actor, member, preset_id)
    return _back(member.workspace_id)


PRESET_PAGES = [presets_page, create_preset_page, update_preset_page, delete_preset_page]
