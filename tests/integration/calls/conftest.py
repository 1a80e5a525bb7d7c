"""Helpers for driving the model-call gateway directly against the real stack."""

from __future__ import annotations

import uuid

from tests.support import UserClient
from workspace.accounts.principal import Principal
from workspace.teams.guards import Member
from workspace.teams.roles import Role


def member_of(user: UserClient, ws: str, role: Role = Role.OWNER) -> Member:
    principal = Principal(uuid.UUID(user.id), user.email, "t", "token")
    return Member(principal, uuid.UUID(ws), role)
