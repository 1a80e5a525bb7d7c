"""Request-scoped dependencies shared by every domain: the runtime, its settings, the DB session.

Each route declares its access in ``opt["access"]``: ``"public"``, ``"authenticated"`` or a
:class:`~workspace.teams.roles.Permission`; the app's one access guard
(:mod:`workspace.server.access`) enforces it, and a test walks every route and fails on one
without it.

Litestar resolves the dependencies of one level of the graph concurrently: two or more at a
level cost an anyio task group and a task each, on every request. The routes that carry
messages (chat's and the gateway's) therefore ask for the session (and their conversation)
only, and take the runtime (:func:`runtime_of`) and the caller
(:func:`workspace.accounts.dependencies.caller_of`) from the request; a test keeps them so.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from litestar.datastructures import State
from litestar.di import Provide
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.config.settings import Settings
from workspace.runtime import Runtime

PUBLIC = "public"
AUTHENTICATED = "authenticated"


def runtime_of(state: State) -> Runtime:
    runtime: Runtime = state.runtime
    return runtime


async def provide_db(state: State) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: domain functions only flush; it commits once, after the
    handler has succeeded (and before the response is sent, so a failed commit is the answer),
    and rolls back whatever a failed handler did. See docs/transactions.md."""
    async with runtime_of(state).sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        await session.commit()


def provide_settings(state: State) -> Settings:
    return runtime_of(state).settings


DEPENDENCIES = {
    "db": Provide(provide_db),
    "settings": Provide(provide_settings, sync_to_thread=False),
    "runtime": Provide(runtime_of, sync_to_thread=False),
}
