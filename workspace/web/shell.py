"""The app shell around every workspace page: header, workspace switcher, credits, sidebar."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.billing import ledger
from workspace.teams import service as teams
from workspace.teams.guards import Member
from workspace.teams.roles import Permission
from workspace.web.pages import can_map
from workspace.web.sidebar import conversation_page, project_page


async def credits_left(db: AsyncSession, member: Member) -> int:
    """Credits the workspace can still spend (balance above its floor), this month's grant in;
    read-only, as every page render is."""
    row = await ledger.balance_as_granted(db, member.workspace_id)
    return max(row.balance - row.floor, 0)


async def shell_context(db: AsyncSession, member: Member, active: str) -> dict[str, Any]:
    """Everything base.html and the sidebar need: a handful of indexed, bounded queries."""
    rows = await teams.list_workspaces(db, member.principal.user_id)
    current = next(ws for ws, _ in rows if ws.id == member.workspace_id)
    return {
        "me": member.principal,
        "csrf": member.principal.csrf_token or "",
        "member": member,
        "role": str(member.role),
        "can": can_map(member),
        "is_admin": member.can(Permission.MEMBERS_MANAGE),
        "workspace": current,
        "workspaces": [ws for ws, _ in rows],
        "credits": await credits_left(db, member),
        "projects": await project_page(db, member, 0),
        "conversations": await conversation_page(db, member, 0),
        "active": active,
    }
