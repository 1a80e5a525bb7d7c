"""Who may see and change a conversation, checked in the query that loads it.

Routes addressed by a conversation (or compare) id find the workspace through the conversation,
joined with the caller's membership in that same query: a conversation of another workspace,
or someone else's private one, is simply not found (404). A member whose role lacks the route's
permission gets a 403, and so does a sign-in the workspace's policy does not accept
(:func:`workspace.sso.policy.enforce`, as the access guard does for ``/w/{ws_id}`` routes).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from litestar import Request
from sqlalchemy.orm import configure_mappers, make_transient_to_detached
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from workspace.accounts.dependencies import principal_of
from workspace.accounts.principal import Principal
from workspace.chat.models import CompareRun, Conversation
from workspace.db import driver
from workspace.db.sessions import is_autocommitted, reading
from workspace.db.writes import table_of
from workspace.errors import NotFound
from workspace.runtime.dependencies import runtime_of
from workspace.runtime.lookups import LookupCache
from workspace.sso.policy import enforce as enforce_sign_in_policy
from workspace.teams.guards import Member
from workspace.teams.models import Membership
from workspace.teams.roles import Permission, Role

T = TypeVar("T")


@dataclass(frozen=True)
class ConversationAccess:
    """The caller as a member of the conversation's workspace, and the conversation."""

    member: Member
    conversation: Conversation

    @property
    def is_creator(self) -> bool:
        return self.conversation.created_by == self.member.principal.user_id


@functools.cache
def _access_statement(token_scoped: bool, for_update: bool) -> Select[Conversation, str]:
    """The conversation joined with the caller's membership, for ``conversation_id`` and
    ``user_id`` (and ``token_workspace_id``: a workspace token sees its workspace only). Built
    once per shape: a request binds its values, and SQLAlchemy's cache key is computed once."""
    stmt = (
        select(Conversation, Membership.role)
        .join(Membership, _membership_join())
        .where(*_access_filter(token_scoped))
    )
    return stmt.with_for_update(of=Conversation) if for_update else stmt


@functools.cache
def _access_columns(token_scoped: bool) -> sa.Select[Any]:
    """The same query as columns (the conversation's and the role), for the driver."""
    return (
        sa.select(*table_of(Conversation).c, col(Membership.role))
        .join(table_of(Membership), _membership_join())
        .where(*_access_filter(token_scoped))
    )


def _access_filter(token_scoped: bool) -> tuple[sa.ColumnElement[bool], ...]:
    user_id: sa.BindParameter[Any] = sa.bindparam("user_id")
    return (
        col(Conversation.id) == sa.bindparam("conversation_id"),
        col(Membership.user_id) == user_id,
        _visible(user_id, sa.bindparam("token_ws") if token_scoped else None),
    )


def _visible(user_id: object, token_workspace_id: object | None) -> sa.ColumnElement[bool]:
    """Shared, or the caller's own; a workspace token sees its workspace only (values or bind
    parameters)."""
    visible = sa.or_(
        col(Conversation.visibility) == "shared",
        col(Conversation.created_by) == user_id,
    )
    if token_workspace_id is not None:
        return sa.and_(visible, col(Conversation.workspace_id) == token_workspace_id)
    return visible


def _membership_join() -> sa.ColumnElement[bool]:
    return col(Membership.workspace_id) == col(Conversation.workspace_id)


async def _conversation_and_role(
    session: AsyncSession, params: dict[str, Any], token_scoped: bool, for_update: bool
) -> tuple[Conversation, str] | None:
    """The row, through the ORM into ``session``; or, on an autocommitted reader (a request's
    read before its unit of work), straight from the driver as a detached conversation: the
    message path's one read, at under half the ORM's CPU (see :mod:`workspace.db.driver`)."""
    if for_update or not is_autocommitted(session):
        stmt = _access_statement(token_scoped, for_update)
        return (await session.exec(stmt, params=params)).first()
    rows = await driver.fetch(session, _access_columns(token_scoped), params)
    if not rows:
        return None
    row = rows[0]
    role = row.pop("role")
    return _loaded(row), role


@functools.cache
def _conversation_factory() -> Callable[[], Conversation]:
    """Bare instances, once the mappers are configured (the ORM's first use does that; a
    process whose first statement is this read has not used it yet)."""
    configure_mappers()
    return sa.inspect(Conversation).class_manager.new_instance


def _loaded(row: dict[str, Any]) -> Conversation:
    """A detached conversation made as the ORM makes a loaded one: a bare instance, its
    attributes set (SQLModel's ``__init__`` validates every field: 49 µs, this 7 µs), then
    known by its id and unchanged."""
    conversation: Conversation = _conversation_factory()()
    conversation.__dict__.update(row)
    make_transient_to_detached(conversation)
    return conversation


async def conversation_access(
    session: AsyncSession,
    principal: Principal,
    conversation_id: uuid.UUID,
    permission: Permission,
    *,
    for_update: bool = False,
    cache: LookupCache | None = None,
) -> ConversationAccess:
    token_ws = principal.token_workspace_id
    params = {"conversation_id": conversation_id, "user_id": principal.user_id}
    if token_ws is not None:
        params["token_ws"] = token_ws
    row = await _conversation_and_role(session, params, token_ws is not None, for_update)
    if row is None:
        raise NotFound("No such conversation.")
    conversation, role = row
    member = Member(principal, conversation.workspace_id, Role(role))
    member.require(permission)
    await _sign_in_policy(session, principal, conversation.workspace_id, cache)
    return ConversationAccess(member, conversation)


async def _sign_in_policy(
    session: AsyncSession, principal: Principal, workspace_id: uuid.UUID, cache: LookupCache | None
) -> None:
    """The workspace's sign-in policy accepts this sign-in (remembered a moment when it did)."""
    key = ("sign-in policy", principal, workspace_id)
    if cache is not None and cache.get(key):
        return
    generation = cache.generation if cache else 0
    await enforce_sign_in_policy(session, principal, workspace_id)
    if cache is not None:
        cache.put(key, True, generation, principal.expires_at)


@dataclass(frozen=True)
class CompareAccess:
    member: Member
    conversation: Conversation
    run: CompareRun


async def compare_access(
    session: AsyncSession, principal: Principal, compare_id: uuid.UUID, permission: Permission
) -> CompareAccess:
    stmt = (
        select(CompareRun, Conversation, Membership.role)
        .join(Conversation, col(Conversation.id) == col(CompareRun.conversation_id))
        .join(Membership, _membership_join())
        .where(
            CompareRun.id == compare_id,
            Membership.user_id == principal.user_id,
            _visible(principal.user_id, principal.token_workspace_id),
        )
    )
    row = (await session.exec(stmt)).first()
    if row is None:
        raise NotFound("No such comparison.")
    run, conversation, role = row
    member = Member(principal, conversation.workspace_id, Role(role))
    member.require(permission)
    await enforce_sign_in_policy(session, principal, conversation.workspace_id)
    return CompareAccess(member, conversation, run)


def route_permission(request: Request[Any, Any, Any]) -> Permission:
    access = request.route_handler.opt.get("access")
    if not isinstance(access, Permission):
        raise RuntimeError("a conversation route must declare a Permission in opt['access']")
    return access


async def refused_at_once(db: AsyncSession, lookup: Awaitable[T]) -> T:
    """``lookup``'s result; if it refuses (404/403), the request's session rolls back first, so
    its connection returns to the pool now rather than after the error response is written."""
    try:
        return await lookup
    except BaseException:
        await db.rollback()
        raise


async def provide_conversation(
    request: Request[Any, Any, Any], db: AsyncSession, conversation_id: uuid.UUID
) -> ConversationAccess:
    """The conversation the route names, checked for the caller (the principal is read off the
    request, not injected: see :mod:`workspace.runtime.dependencies`)."""
    principal = principal_of(request)
    cache = runtime_of(request.app.state).live_lookups()
    async with reading(db) as reader:
        access = await refused_at_once(
            db,
            conversation_access(
                reader, principal, conversation_id, route_permission(request), cache=cache
            ),
        )
    db.add(access.conversation)  # the request changes it in its own unit of work
    return access


async def provide_compare(
    request: Request[Any, Any, Any], db: AsyncSession, principal: Principal, compare_id: uuid.UUID
) -> CompareAccess:
    return await refused_at_once(
        db, compare_access(db, principal, compare_id, route_permission(request))
    )
