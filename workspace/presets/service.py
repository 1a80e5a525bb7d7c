"""Presets of a workspace: who sees, edits and shares which.

* A member sees their own presets and the workspace's shared library; another member's private
  preset does not exist for them (404), nor does any preset of another workspace.
* The owner edits and deletes a private preset. A shared preset belongs to the workspace: only
  members who may share (``presets.share``, admins) edit, unshare or delete it.
* Sharing (creating a preset shared, or flipping ``shared``) needs ``presets.share``.

Every change is audited; sharing and unsharing as ``preset.shared`` with the new state.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Final

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.audit.actions import AuditAction
from workspace.audit.service import Actor, record
from workspace.db.columns import utcnow
from workspace.errors import NotFound
from workspace.presets.models import Preset
from workspace.teams.guards import Member
from workspace.teams.roles import Permission

EDITABLE: Final = frozenset(
    {
        "name",
        "description",
        "system_prompt",
        "model",
        "temperature",
        "top_p",
        "max_output_tokens",
    }
)
"""The fields a change may set besides ``shared``."""


def _visible(member: Member) -> sa.ColumnElement[bool]:
    return sa.and_(
        col(Preset.workspace_id) == member.workspace_id,
        sa.or_(col(Preset.owner_id) == member.principal.user_id, col(Preset.shared).is_(True)),
    )


async def list_presets(session: AsyncSession, member: Member, limit: int) -> Sequence[Preset]:
    """The caller's own presets and the shared library, shared first, then by name."""
    stmt = (
        select(Preset)
        .where(_visible(member))
        .order_by(col(Preset.shared).desc(), col(Preset.name), col(Preset.id))
        .limit(limit)
    )
    return (await session.exec(stmt)).all()


async def get_preset(session: AsyncSession, member: Member, preset_id: uuid.UUID) -> Preset:
    """A preset the caller may see; 404 for any other (private to someone else, elsewhere)."""
    stmt = select(Preset).where(col(Preset.id) == preset_id, _visible(member))
    preset = (await session.exec(stmt)).first()
    if preset is None:
        raise NotFound("No such preset.")
    return preset


async def create_preset(
    session: AsyncSession, actor: Actor, member: Member, fields: Mapping[str, object], shared: bool
) -> Preset:
    if shared:
        member.require(Permission.PRESETS_SHARE)
    preset = Preset(
        workspace_id=member.workspace_id,
        owner_id=member.principal.user_id,
        name="",
        shared=shared,
    )
    _apply(preset, fields)
    session.add(preset)
    await session.flush()
    await record(
        session,
        actor,
        AuditAction.PRESET_CREATED,
        target_type="preset",
        target_id=preset.id,
        workspace_id=preset.workspace_id,
        details={"shared": shared},
    )
    return preset


async def update_preset(
    session: AsyncSession,
    actor: Actor,
    member: Member,
    preset_id: uuid.UUID,
    fields: Mapping[str, object],
    shared: bool | None,
) -> Preset:
    preset = await get_preset(session, member, preset_id)
    _require_editable(member, preset)
    if shared is not None and shared != preset.shared:
        member.require(Permission.PRESETS_SHARE)
        preset.shared = shared
        await record(
            session,
            actor,
            AuditAction.PRESET_SHARED,
            target_type="preset",
            target_id=preset.id,
            workspace_id=preset.workspace_id,
            details={"shared": shared},
        )
    if fields:
        _apply(preset, fields)
        await record(
            session,
            actor,
            AuditAction.PRESET_UPDATED,
            target_type="preset",
            target_id=preset.id,
            workspace_id=preset.workspace_id,
            details={"fields": sorted(fields)},
        )
    preset.updated_at = utcnow()
    session.add(preset)
    await session.flush()
    return preset


async def delete_preset(
    session: AsyncSession, actor: Actor, member: Member, preset_id: uuid.UUID
) -> None:
    preset = await get_preset(session, member, preset_id)
    _require_editable(member, preset)
    await record(
        session,
        actor,
        AuditAction.PRESET_DELETED,
        target_type="preset",
        target_id=preset.id,
        workspace_id=preset.workspace_id,
        details={"name": preset.name},
    )
    await session.delete(preset)
    await session.flush()


def _require_editable(member: Member, preset: Preset) -> None:
    if preset.shared:
        member.require(Permission.PRESETS_SHARE)
    elif preset.owner_id != member.principal.user_id:
        raise NotFound("No such preset.")


def _apply(preset: Preset, fields: Mapping[str, object]) -> None:
    for name, value in fields.items():
        if name not in EDITABLE:
            raise ValueError(f"not a preset field: {name}")
        setattr(preset, name, value.strip() if name == "name" and isinstance(value, str) else value)
