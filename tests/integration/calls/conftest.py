"""Helpers for driving the model-call gateway directly against the real stack."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from tests.support import Stack, UserClient
from workspace.accounts.principal import Principal
from workspace.db import make_engine, make_sessionmaker
from workspace.keys.vault import SecretStore
from workspace.providers import make_registry
from workspace.runtime import Runtime
from workspace.teams.guards import Member
from workspace.teams.roles import Role


@pytest.fixture
async def runtime(stack: Stack) -> AsyncIterator[Runtime]:
    """A runtime like the app's, for calling services in the test process."""
    engine = make_engine(stack.settings.database_url or "", pool_size=20)
    yield Runtime(
        settings=stack.settings,
        engine=engine,
        sessionmaker=make_sessionmaker(engine),
        secrets=SecretStore(stack.settings),
        registry=make_registry(stack.settings),
    )
    await engine.dispose()


def member_of(user: UserClient, ws: str, role: Role = Role.OWNER) -> Member:
    principal = Principal(uuid.UUID(user.id), user.email, "t", "token")
    return Member(principal, uuid.UUID(ws), role)
