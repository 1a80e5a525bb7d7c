"""Every failure an API route meets, answered as ``application/problem+json``, never a trace.

:class:`~workspace.errors.AppError` keeps its code; Litestar's own HTTP and validation errors
get the code of their status; a database outage or a lost race gets 503 or 409 with
``Retry-After``; anything else is a 500 ``internal_error``. The status of every code comes from
the catalogue (docs/errors.md). Pages draw their errors as HTML instead
(:mod:`workspace.web.errors`), and the ``/v1`` gateway in its clients' API envelopes
(:mod:`workspace.compat.errors`).
"""

from __future__ import annotations

import logging
from typing import Any

from asyncpg import InterfaceError, PostgresError  # type: ignore[import-untyped]
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandler, ExceptionHandlersMap
from sqlalchemy.exc import DBAPIError

from workspace.compat.errors import for_path as gateway_envelope
from workspace.errors import (
    CATALOGUE,
    DATABASE_RETRY_AFTER_S,
    AppError,
    ConcurrentChange,
    DatabaseUnavailable,
    is_concurrent_change,
    is_database_unavailable,
)

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

# The codes of the statuses Litestar raises by itself; another status answers as its class's.
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
    500: "server_error",
    503: "service_unavailable",
}


def problem(
    code: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    extra: dict[str, object] | None = None,
) -> Response[dict[str, Any]]:
    """The RFC 9457 document for ``code``, with the status the catalogue gives it."""
    entry = CATALOGUE[code]
    body: dict[str, Any] = {"type": "about:blank", "status": entry.status, "code": code}
    body["title"] = entry.title
    body["detail"] = detail
    body.update(extra or {})
    return Response(body, status_code=entry.status, media_type=PROBLEM_JSON, headers=headers)


def _app_error(_: Request[Any, Any, Any], exc: AppError) -> Response[dict[str, Any]]:
    retry_after = exc.extra.get("retry_after")
    headers = {"Retry-After": str(retry_after)} if isinstance(retry_after, int) else None
    return problem(exc.code, exc.detail, headers=headers, extra=exc.extra)


def _validation_error(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    errors = exc.extra if isinstance(exc.extra, list) else []
    fields = [
        {"key": e.get("key"), "message": e.get("message"), "source": e.get("source")}
        for e in errors
        if isinstance(e, dict)
    ]
    detail = exc.detail if exc.detail and "Validation failed" not in exc.detail else ""
    return problem(
        "validation_error", detail or "The request is not valid.", extra={"errors": fields}
    )


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    code = _HTTP_CODES.get(status, "bad_request" if status < 500 else "server_error")
    detail = exc.detail if status < 500 else "The server could not handle this request."
    # An unknown /v1 path or a wrong method there is a gateway client's: its API's envelope.
    return gateway_envelope(request.url.path, problem(code, detail, headers=exc.headers))


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.error("unhandled error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return problem(
        "internal_error", "Something went wrong on our side. Nothing you sent was half-saved."
    )


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
