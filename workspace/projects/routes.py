"""HTTP routes of projects."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Router, delete, get, patch, post
from litestar.params import Parameter
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.audit.service import Actor
from workspace.config.settings import Settings
from workspace.projects import service
from workspace.projects.models import Project
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Description = Annotated[str, msgspec.Meta(max_length=2000)]


class ProjectIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    description: Description = ""


class ProjectPatch(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | None = None
    description: Description | None = None


class ProjectOut(msgspec.Struct):
    id: uuid.UUID
    workspace_id: uuid.UUID
    name: str
    description: str
    created_at: datetime


def _out(p: Project) -> ProjectOut:
    return ProjectOut(p.id, p.workspace_id, p.name, p.description, p.created_at)


PROJECT = "/{project_id:uuid}"


@get("/", opt={"access": P.PROJECTS_READ}, operation_id="list_projects")
async def list_projects(
    member: Member,
    db: AsyncSession,
    settings: Settings,
    limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
    offset: Annotated[int, Parameter(ge=0)] = 0,
) -> list[ProjectOut]:
    """Projects of the workspace, newest first."""
    rows = await service.list_projects(
        db, member.workspace_id, min(limit, settings.page_size_max), offset
    )
    return [_out(p) for p in rows]


@post("/", opt={"access": P.PROJECTS_WRITE}, operation_id="create_project")
async def create_project(
    data: ProjectIn, member: Member, actor: Actor, db: AsyncSession
) -> ProjectOut:
    """Create a project."""
    return _out(await service.create_project(db, actor, member, data.name, data.description))


@get(PROJECT, opt={"access": P.PROJECTS_READ}, operation_id="get_project")
async def get_project(project_id: uuid.UUID, member: Member, db: AsyncSession) -> ProjectOut:
    """One project of the workspace."""
    return _out(await service.get_project(db, member.workspace_id, project_id))


@patch(PROJECT, opt={"access": P.PROJECTS_WRITE}, operation_id="update_project")
async def update_project(
    project_id: uuid.UUID, data: ProjectPatch, member: Member, actor: Actor, db: AsyncSession
) -> ProjectOut:
    """Rename or describe a project."""
    project = await service.update_project(
        db, actor, member, project_id, data.name, data.description
    )
    return _out(project)


@delete(PROJECT, opt={"access": P.PROJECTS_WRITE}, operation_id="delete_project")
async def delete_project(
    project_id: uuid.UUID, member: Member, actor: Actor, db: AsyncSession
) -> None:
    """Delete a project."""
    await service.delete_project(db, actor, member, project_id)


projects_router = Router(
    "/api/workspaces/{ws_id:uuid}/projects",
    route_handlers=[list_projects, create_project, get_project, update_project, delete_project],
    tags=["projects"],
)
