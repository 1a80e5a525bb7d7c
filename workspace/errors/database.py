"""Database failures a client should see as something other than a 500.

Two kinds: a lost race (deadlock, serialization failure), answered 409 ``conflict`` because the
same request sent again will pass; and an unreachable database, answered 503
``database_unavailable``. Both say ``Retry-After``; the handlers are in
:mod:`workspace.server.errors`, and the chat stream uses :func:`is_database_unavailable` too.
"""

from __future__ import annotations

import traceback

from sqlalchemy.exc import DBAPIError

from workspace.errors.base import Conflict, ServiceUnavailable

# SQLSTATEs with which PostgreSQL aborts a transaction only because a concurrent one collided
# with it (serialization_failure, deadlock_detected): the request is fine, sending it again is.
_CONCURRENCY_SQLSTATES = frozenset({"40001", "40P01"})


class ConcurrentChange(Conflict):
    """Another transaction changed the same rows at the same moment; retrying is the fix."""


def is_concurrent_change(exc: BaseException) -> bool:
    """Whether a database error is a lost race (deadlock or serialization failure): SQLAlchemy's
    wrapping the driver's error, or the driver's own (:mod:`workspace.db.driver`)."""
    orig = getattr(exc, "orig", exc)
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return sqlstate in _CONCURRENCY_SQLSTATES


class DatabaseUnavailable(ServiceUnavailable):
    """PostgreSQL is unreachable (restarting, failing over); nothing was half-saved."""

    code = "database_unavailable"


DATABASE_RETRY_AFTER_S = 5
# Connection-level failures: the server went away (08xxx) or is shutting down / starting (57P0x).
_UNAVAILABLE_SQLSTATE_PREFIXES = ("08", "57P0")


def is_database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` means the database cannot be reached right now (not a bad request).

    A connection lost mid-query arrives as a ``DBAPIError`` that invalidated its connection;
    a new connection that cannot be opened arrives as the driver's own error or as a plain
    ``OSError`` (refused TCP, a missing Unix socket) raised from inside the driver.
    """
    if isinstance(exc, DBAPIError):
        orig = getattr(exc, "orig", None)
        sqlstate = str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")
        return bool(exc.connection_invalidated) or sqlstate.startswith(
            _UNAVAILABLE_SQLSTATE_PREFIXES
        )
    if type(exc).__module__.startswith("asyncpg"):
        sqlstate = str(getattr(exc, "sqlstate", "") or "")
        return sqlstate.startswith(_UNAVAILABLE_SQLSTATE_PREFIXES) or not sqlstate
    if isinstance(exc, OSError | TimeoutError):
        frames = traceback.extract_tb(exc.__traceback__)
        return any("/asyncpg/" in frame.filename for frame in frames)
    return False
