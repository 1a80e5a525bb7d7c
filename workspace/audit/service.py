"""Writing and reading the audit log. Every change of membership, role, invite, token or
credential calls :func:`record` in the same transaction as the change, so the two commit together.
Actions are the members of :class:`~workspace.audit.actions.AuditAction`; nothing else is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.audit.actions import AuditAction
from workspace.audit.models import AuditEvent


@dataclass(frozen=True)
class Actor:
    """Who did it and from where."""

    user_id: uuid.UUID | None
    ip: str | None


async def record(
    session: AsyncSession,
    actor: Actor,
    action: AuditAction,
    *,
    target_type: str,
    target_id: object,
    workspace_id: uuid.UUID | None = None,
    details: dict[str, object] | None = None,
) -> None:
    """Add an audit row to ``session`` (the caller commits it with the change it describes).

    ``action`` is an :class:`AuditAction` (checked again at run time: ``ValueError`` for any
    other name), so the admin filter, which lists the enum, can find every row.
    """
    session.add(
        AuditEvent(
            workspace_id=workspace_id,
            actor_id=actor.user_id,
            action=AuditAction(action).value,
            target_type=target_type,
            target_id=str(target_id),
            ip=actor.ip,
            details=details or {},
        )
    )


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    actor_id: uuid.UUID | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100
    before_id: int | None = None


async def list_events(
    session: AsyncSession, workspace_id: uuid.UUID, filt: AuditFilter
) -> Sequence[AuditEvent]:
    """Newest first, keyset-paginated by id; always scoped to one workspace."""
    stmt = select(AuditEvent).where(AuditEvent.workspace_id == workspace_id)
    if filt.action:
        stmt = stmt.where(AuditEvent.action == filt.action)
    if filt.actor_id:
        stmt = stmt.where(AuditEvent.actor_id == filt.actor_id)
    if filt.since:
        stmt = stmt.where(col(AuditEvent.at) >= filt.since)
    if filt.until:
        stmt = stmt.where(col(AuditEvent.at) < filt.until)
    if filt.before_id:
        stmt = stmt.where(col(AuditEvent.id) < filt.before_id)
    stmt = stmt.order_by(col(AuditEvent.id).desc()).limit(filt.limit)
    return (await session.exec(stmt)).all()
