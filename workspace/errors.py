"""Errors as ``application/problem+json`` with a stable ``code``, never a stack trace.

Services raise :class:`AppError` subclasses; the handlers here turn them, Litestar's own HTTP and
validation errors, and anything unexpected into RFC 9457 problem documents. The ``code`` is the
contract clients switch on; ``detail`` is a sentence for people.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any, ClassVar

from asyncpg import InterfaceError, PostgresError  # type: ignore[import-untyped]
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandler, ExceptionHandlersMap
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class AppError(Exception):
    """A failure a client should see, with a stable code."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"

    def __init__(self, detail: str, *, extra: dict[str, object] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}


class NotFound(AppError):
    status = 404
    code = "not_found"


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class Unauthorized(AppError):
    status = 401
    code = "not_authenticated"


class Conflict(AppError):
    status = 409
    code = "conflict"


class TooManyRequests(AppError):
    status = 429
    code = "rate_limited"


class InvalidInput(AppError):
    status = 422
    code = "invalid_input"


class ServiceUnavailable(AppError):
    status = 503
    code = "service_unavailable"


# Refusals of the request bytes themselves (see workspace.server.body_guard), raised before any
# route parses them: each would otherwise surface deep inside a decoder or the database as a 500.
class InvalidEncoding(AppError):
    """The body is not UTF-8 text (JSON and form text must be)."""

    code = "invalid_encoding"


class TooDeeplyNested(AppError):
    """JSON nested deeper than ``SWITCHBOARD_JSON_MAX_DEPTH``: the decoder would recurse away."""

    code = "too_deeply_nested"


class InvalidCharacters(AppError):
    """Text carrying the NUL character, which PostgreSQL cannot store in a text column."""

    code = "invalid_characters"


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    extra: dict[str, object] | None = None,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {"type": "about:blank", "status": status, "code": code}
    body["title"] = code.replace("_", " ").capitalize()
    body["detail"] = detail
    body.update(extra or {})
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _app_error(_: Request[Any, Any, Any], exc: AppError) -> Response[dict[str, Any]]:
    retry_after = exc.extra.get("retry_after")
    headers = {"Retry-After": str(retry_after)} if isinstance(retry_after, int) else None
    return problem(exc.status, exc.code, exc.detail, headers=headers, extra=exc.extra)


_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "request_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    503: "service_unavailable",
}


def _validation_error(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    errors = exc.extra if isinstance(exc.extra, list) else []
    fields = [
        {"key": e.get("key"), "message": e.get("message"), "source": e.get("source")}
        for e in errors
        if isinstance(e, dict)
    ]
    detail = exc.detail if exc.detail and "Validation failed" not in exc.detail else ""
    return problem(
        400, "validation_error", detail or "The request is not valid.", extra={"errors": fields}
    )


def _http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    code = _HTTP_CODES.get(status, "error" if status < 500 else "server_error")
    detail = exc.detail if status < 500 else "The server could not handle this request."
    return problem(status, code, detail, headers=exc.headers)


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.error("unhandled error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return problem(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "internal_error",
        "Something went wrong on our side. Nothing you sent was half-saved.",
    )


# SQLSTATEs with which PostgreSQL aborts a transaction only because a concurrent one collided
# with it (serialization_failure, deadlock_detected): the request is fine, sending it again is.
_CONCURRENCY_SQLSTATES = frozenset({"40001", "40P01"})


class ConcurrentChange(Conflict):
    """Another transaction changed the same rows at the same moment; retrying is the fix."""

    code = "conflict"


def is_concurrent_change(exc: BaseException) -> bool:
    """Whether a database error is a lost race (deadlock or serialization failure)."""
    orig = getattr(exc, "orig", None)
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


def _handler_for(request: Request[Any, Any, Any], exc: Exception) -> ExceptionHandler[Any]:
    """The handler the route's own layers give ``exc``, skipping this module's database one, so
    a page keeps its HTML error page and an API route its problem+json."""
    try:
        handlers = request.route_handler.resolve_exception_handlers()
    except (KeyError, AttributeError):  # not routed: only the app's own handlers apply
        handlers = EXCEPTION_HANDLERS
    for cls in type(exc).__mro__:
        found = handlers.get(cls)
        if found is not None and found is not _database_error:
            return found
    return _unexpected


def _database_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A deadlock or serialization failure anywhere becomes 409 ``conflict`` with Retry-After;
    an unreachable database 503 ``database_unavailable`` with Retry-After; any other database
    error goes on to the generic handler, as before."""
    if is_database_unavailable(exc):
        log.warning("database unavailable on %s %s, answered 503", request.method, request.url.path)
        down = DatabaseUnavailable(
            "The database is unavailable right now; nothing was half-saved. Try again shortly.",
            extra={"retry_after": DATABASE_RETRY_AFTER_S},
        )
        return _handler_for(request, down)(request, down)
    if not is_concurrent_change(exc):
        return _handler_for(request, exc)(request, exc)
    log.warning("concurrent change on %s %s, answered 409", request.method, request.url.path)
    translated = ConcurrentChange(
        "Someone else changed this at the same time; try again.", extra={"retry_after": 1}
    )
    return _handler_for(request, translated)(request, translated)


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    AppError: _app_error,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    DBAPIError: _database_error,
    # The driver's own errors and the OSError of a refused connection: 503 when the database
    # is down, otherwise the generic handler.
    OSError: _database_error,
    TimeoutError: _database_error,
    PostgresError: _database_error,
    InterfaceError: _database_error,
    Exception: _unexpected,
}
