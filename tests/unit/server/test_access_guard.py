"""The access guard: what a route's ``opt["access"]`` lets through, and how a refusal reads."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from litestar import get
from litestar.handlers import HTTPRouteHandler

from workspace.accounts.principal import Principal
from workspace.errors import NotFound
from workspace.runtime.dependencies import PUBLIC
from workspace.server.access import declared_access, require_access
from workspace.teams.guards import Member, MissingPermission, admit
from workspace.teams.roles import Permission, Role

ALEX = Principal(uuid.uuid4(), "alex@example.test", "Alex", "session")


def _member(role: Role) -> Member:
    return Member(ALEX, uuid.uuid4(), role)


def _handler(opt: dict[str, Any]) -> HTTPRouteHandler:
    @get("/", opt=opt)
    async def handler() -> None: ...

    return handler


def _connection(method: str) -> Any:
    # No app, no database: a guard that admits without loading anything never touches them.
    return SimpleNamespace(scope={"type": "http", "method": method})


def test_a_member_holding_the_permission_is_admitted() -> None:
    admin = _member(Role.ADMIN)
    assert admit(admin, Permission.CREDENTIALS_MANAGE, hide_forbidden=False) is admin
    assert admit(admin, Permission.CREDENTIALS_MANAGE, hide_forbidden=True) is admin


def test_a_stranger_gets_404_from_api_and_pages() -> None:
    with pytest.raises(NotFound, match="No such workspace"):
        admit(None, Permission.WORKSPACE_READ, hide_forbidden=False)
    with pytest.raises(NotFound, match="No such page"):
        admit(None, Permission.WORKSPACE_READ, hide_forbidden=True)


def test_a_member_lacking_the_permission_gets_403_from_the_api_and_404_from_pages() -> None:
    viewer = _member(Role.VIEWER)
    with pytest.raises(MissingPermission):
        admit(viewer, Permission.CREDENTIALS_MANAGE, hide_forbidden=False)
    with pytest.raises(NotFound, match="No such page"):
        admit(viewer, Permission.CREDENTIALS_MANAGE, hide_forbidden=True)


@pytest.mark.parametrize("access", ["public", "authenticated", Permission.AUDIT_READ])
def test_declared_access_is_read_from_the_route(access: str) -> None:
    assert declared_access(_handler({"access": access})) == access


@pytest.mark.parametrize("opt", [{}, {"access": "admins"}, {"access": None}])
def test_a_route_without_a_known_access_is_refused(opt: dict[str, Any]) -> None:
    with pytest.raises(RuntimeError, match="declares no"):
        declared_access(_handler(opt))


async def test_public_routes_and_preflights_pass_without_a_caller() -> None:
    await require_access(_connection("GET"), _handler({"access": PUBLIC}))
    await require_access(_connection("OPTIONS"), _handler({"access": Permission.AUDIT_READ}))


async def test_an_undeclared_route_is_refused_before_anything_is_loaded() -> None:
    with pytest.raises(RuntimeError):
        await require_access(_connection("GET"), _handler({}))
