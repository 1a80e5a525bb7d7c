"""Request and response bodies of the teams routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

from workspace.teams.roles import Role

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class WorkspaceIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name


class WorkspaceOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    plan: str
    role: Role
    created_at: datetime


class MemberOut(msgspec.Struct):
    user_id: uuid.UUID
    email: str
    name: str
    role: Role
    joined_at: datetime


class RoleIn(msgspec.Struct, forbid_unknown_fields=True):
    role: Role


class InviteIn(msgspec.Struct, forbid_unknown_fields=True):
    role: Role = Role.MEMBER
    email: Annotated[str, msgspec.Meta(max_length=320)] | None = None


class InviteOut(msgspec.Struct):
    id: uuid.UUID
    role: Role
    email: str | None
    expires_at: datetime
    created_at: datetime
    status: str
    url: str | None = None
    token: str | None = None


class InviteAccepted(msgspec.Struct):
    workspace_id: uuid.UUID
    role: Role
