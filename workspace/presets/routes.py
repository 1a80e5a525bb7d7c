"""HTTP routes of presets, ``/api/workspaces/{ws}/presets`` (who sees what: :mod:`.service`)."""

from __future__ import annotations

import uuid

import msgspec
from litestar import Router, delete, get, patch, post
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.audit.service import Actor
from workspace.config.settings import Settings
from workspace.presets import service
from workspace.presets.models import Preset
from workspace.presets.schemas import PresetIn, PresetOut, PresetPatch
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P

PRESET = "/{preset_id:uuid}"


def preset_out(p: Preset) -> PresetOut:
    return PresetOut(
        p.id,
        p.workspace_id,
        p.owner_id,
        p.name,
        p.description,
        p.system_prompt,
        p.model,
        p.temperature,
        p.top_p,
        p.max_output_tokens,
        p.shared,
        p.created_at,
        p.updated_at,
    )


def _fields(data: PresetIn | PresetPatch) -> dict[str, object]:
    values = msgspec.structs.asdict(data)
    return {k: v for k, v in values.items() if k in service.EDITABLE and v is not msgspec.UNSET}


@get("/", opt={"access": P.CONVERSATIONS_READ}, operation_id="list_presets")
async def list_presets(member: Member, db: AsyncSession, settings: Settings) -> list[PresetOut]:
    """Your own presets and the workspace's shared library (shared first, then by name)."""
    rows = await service.list_presets(db, member, settings.page_size_max)
    return [preset_out(p) for p in rows]


@post("/", opt={"access": P.CONVERSATIONS_WRITE}, operation_id="create_preset")
async def create_preset(
    data: PresetIn, member: Member, actor: Actor, db: AsyncSession
) -> PresetOut:
    """Create a preset, private to you (``shared: true`` needs ``presets.share``)."""
    preset = await service.create_preset(db, actor, member, _fields(data), data.shared)
    return preset_out(preset)


@get(PRESET, opt={"access": P.CONVERSATIONS_READ}, operation_id="get_preset")
async def get_preset(preset_id: uuid.UUID, member: Member, db: AsyncSession) -> PresetOut:
    """One preset you may see."""
    return preset_out(await service.get_preset(db, member, preset_id))


@patch(PRESET, opt={"access": P.CONVERSATIONS_WRITE}, operation_id="update_preset")
async def update_preset(
    preset_id: uuid.UUID, data: PresetPatch, member: Member, actor: Actor, db: AsyncSession
) -> PresetOut:
    """Edit your private preset; share, unshare or edit a shared one (``presets.share``)."""
    shared = None if isinstance(data.shared, msgspec.UnsetType) else data.shared
    preset = await service.update_preset(db, actor, member, preset_id, _fields(data), shared)
    return preset_out(preset)


@delete(PRESET, opt={"access": P.CONVERSATIONS_WRITE}, operation_id="delete_preset")
async def delete_preset(
    preset_id: uuid.UUID, member: Member, actor: Actor, db: AsyncSession
) -> None:
    """Delete your private preset, or a shared one (``presets.share``)."""
    await service.delete_preset(db, actor, member, preset_id)


presets_router = Router(
    "/api/workspaces/{ws_id:uuid}/presets",
    route_handlers=[list_presets, create_preset, get_preset, update_preset, delete_preset],
    tags=["presets"],
)
