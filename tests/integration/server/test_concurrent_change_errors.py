"""A deadlock or serialization failure anywhere is a 409 ``conflict`` with Retry-After, not a 500.

The deadlock is a real one: two sessions on the test stack's PostgreSQL lock two rows in opposite
order. The error SQLAlchemy raised for it is then raised from a route of a small app wired with
the project's exception handlers (the API's and the pages').
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
import sqlalchemy as sa
from litestar import Litestar, Router, get
from litestar.testing import AsyncTestClient
from sqlalchemy.exc import DBAPIError

from tests.support import UserClient
from workspace.errors import is_concurrent_change
from workspace.runtime import Runtime
from workspace.server.errors import EXCEPTION_HANDLERS
from workspace.web import template_config
from workspace.web.errors import PAGE_EXCEPTION_HANDLERS

_LOCK = sa.text("SELECT id FROM users WHERE id = :id FOR UPDATE")


async def _real_deadlock(runtime: Runtime, first: uuid.UUID, second: uuid.UUID) -> DBAPIError:
    """Session one locks ``first`` then ``second``, session two the other way round."""
    async with runtime.sessionmaker() as one, runtime.sessionmaker() as two:
        await one.execute(_LOCK, {"id": first})
        await two.execute(_LOCK, {"id": second})
        results = await asyncio.gather(
            one.execute(_LOCK, {"id": second}),
            two.execute(_LOCK, {"id": first}),
            return_exceptions=True,
        )
        await one.rollback()
        await two.rollback()
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], DBAPIError)
    return errors[0]


@pytest.fixture
async def deadlock(runtime: Runtime, alice: UserClient, bob: UserClient) -> DBAPIError:
    return await _real_deadlock(runtime, uuid.UUID(alice.id), uuid.UUID(bob.id))


def _raising_app(exc: Exception) -> Litestar:
    @get("/api/thing", sync_to_thread=False)
    def api_thing() -> None:
        raise exc

    @get("/page", sync_to_thread=False)
    def page() -> None:
        raise exc

    pages = Router("/", route_handlers=[page], exception_handlers=PAGE_EXCEPTION_HANDLERS)
    return Litestar(
        route_handlers=[api_thing, pages],
        exception_handlers=EXCEPTION_HANDLERS,
        template_config=template_config(),
    )


async def test_a_real_deadlock_is_recognised(deadlock: DBAPIError) -> None:
    assert getattr(deadlock.orig, "sqlstate", None) == "40P01"
    assert is_concurrent_change(deadlock)


async def test_deadlock_on_an_api_route_is_409_conflict_with_retry_after(
    deadlock: DBAPIError,
) -> None:
    async with AsyncTestClient(_raising_app(deadlock)) as client:
        resp = await client.get("/api/thing")
    assert resp.status_code == 409
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.headers["retry-after"] == "1"
    body = resp.json()
    assert body["code"] == "conflict"
    assert body["detail"] == "Someone else changed this at the same time; try again."
    assert "deadlock" not in resp.text.lower()


async def test_deadlock_on_a_page_is_a_409_page(deadlock: DBAPIError) -> None:
    async with AsyncTestClient(_raising_app(deadlock)) as client:
        resp = await client.get("/page", headers={"accept": "text/html"})
    assert resp.status_code == 409
    assert resp.headers["content-type"].startswith("text/html")
    assert "Someone else changed this at the same time; try again." in resp.text


async def test_other_database_errors_stay_500(runtime: Runtime) -> None:
    async with runtime.sessionmaker() as session:
        with pytest.raises(DBAPIError) as caught:
            await session.execute(sa.text("SELECT 1 / 0"))
    assert not is_concurrent_change(caught.value)
    async with AsyncTestClient(_raising_app(caught.value)) as client:
        resp = await client.get("/api/thing")
    assert resp.status_code == 500
    assert resp.json()["code"] == "internal_error"
    assert "division" not in resp.text


async def test_the_drivers_own_deadlock_error_is_a_409_too() -> None:
    """Statements the driver runs itself (workspace.db.driver) raise asyncpg's error unwrapped."""
    from asyncpg.exceptions import DeadlockDetectedError

    raw = DeadlockDetectedError("deadlock detected")
    assert is_concurrent_change(raw)
    async with AsyncTestClient(_raising_app(raw)) as client:
        resp = await client.get("/api/thing")
    assert resp.status_code == 409
    assert resp.json()["code"] == "conflict"
