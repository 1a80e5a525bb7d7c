"""Projects inside a workspace. Every query is scoped by the workspace id of the membership."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.audit.actions import AuditAction
from workspace.audit.service import Actor, record
from workspace.errors import NotFound
from workspace.projects.models import Project
from workspace.teams.guards import Member


async def create_project(
    session: AsyncSession, actor: Actor, member: Member, name: str, description: str
) -> Project:
    project = Project(
        workspace_id=member.workspace_id,
        name=name.strip(),
        description=description,
        created_by=member.principal.user_id,
    )
    session.add(project)
    await session.flush()
    await record(
        session,
        actor,
        AuditAction.PROJECT_CREATED,
        target_type="project",
        target_id=project.id,
        workspace_id=member.workspace_id,
    )
    await session.flush()
    return project


async def list_projects(
    session: AsyncSession, workspace_id: uuid.UUID, limit: int, offset: int
) -> Sequence[Project]:
    stmt = (
        select(Project)
        .where(Project.workspace_id == workspace_id)
        .order_by(col(Project.created_at).desc())
        .limit(limit)
        .offset(offset)
    )
    return (await session.exec(stmt)).all()


async def get_project(
    session: AsyncSession, workspace_id: uuid.UUID, project_id: uuid.UUID
) -> Project:
    stmt = select(Project).where(Project.id == project_id, Project.workspace_id == workspace_id)
    project = (await session.exec(stmt)).first()
    if project is None:
        raise NotFound("No such project.")
    return project


async def update_project(
    session: AsyncSession,
    actor: Actor,
    member: Member,
    project_id: uuid.UUID,
    name: str | None,
    description: str | None,
) -> Project:
    project = await get_project(session, member.workspace_id, project_id)
    if name is not None:
        project.name = name.strip()
    if description is not None:
        project.description = description
    session.add(project)
    await record(
        session,
        actor,
        AuditAction.PROJECT_UPDATED,
        target_type="project",
        target_id=project.id,
        workspace_id=member.workspace_id,
    )
    await session.flush()
    return project


async def delete_project(
    session: AsyncSession, actor: Actor, member: Member, project_id: uuid.UUID
) -> None:
    project = await get_project(session, member.workspace_id, project_id)
    await session.delete(project)
    await record(
        session,
        actor,
        AuditAction.PROJECT_DELETED,
        target_type="project",
        target_id=project_id,
        workspace_id=member.workspace_id,
    )
    await session.flush()
