"""Reading the audit log (owners and admins)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Router, get
from litestar.params import Parameter
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.audit.service import AuditFilter, list_events
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P


class AuditEventOut(msgspec.Struct):
    id: int
    at: datetime
    actor_id: uuid.UUID | None
    action: str
    target_type: str
    target_id: str
    ip: str | None
    details: dict[str, object]


@get("/", opt={"access": P.AUDIT_READ}, operation_id="list_audit_events")
async def list_audit(
    member: Member,
    db: AsyncSession,
    action: str | None = None,
    actor_id: uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    limit: Annotated[int, Parameter(ge=1, le=500)] = 100,
) -> list[AuditEventOut]:
    """Audit events of the workspace, newest first; filter by action, actor and time."""
    filt = AuditFilter(action, actor_id, since, until, limit, before_id)
    rows = await list_events(db, member.workspace_id, filt)
    return [
        AuditEventOut(
            e.id or 0, e.at, e.actor_id, e.action, e.target_type, e.target_id, e.ip, e.details
        )
        for e in rows
    ]


audit_router = Router(
    "/api/workspaces/{ws_id:uuid}/audit",
    route_handlers=[list_audit],
    tags=["audit"],
)
