"""Errors on pages render as HTML (or an HTMX flash), not as problem+json."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template
from litestar.types import ExceptionHandlersMap

from workspace.errors import AppError
from workspace.web.pages import LoginRequired, is_htmx, login_url

log = logging.getLogger(__name__)


def _page_error(request: Request[Any, Any, Any], status: int, detail: str) -> Response[Any]:
    if is_htmx(request):
        # htmx is configured (static/app.js) to swap error responses; send them to the flash area.
        return Template(
            "partials/flash.html",
            context={"error": detail},
            status_code=status,
            headers={"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"},
        )
    return Template(
        "error.html",
        context={"status": status, "detail": detail},
        status_code=status,
    )


def _app_error(request: Request[Any, Any, Any], exc: AppError) -> Response[Any]:
    return _page_error(request, exc.status, exc.detail)


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    return _page_error(request, status, exc.detail if status < 500 else "Something went wrong.")


def _validation_error(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    return _page_error(request, 400, "That request was not valid.")


def _login_required(request: Request[Any, Any, Any], exc: LoginRequired) -> Response[Any]:
    if is_htmx(request):
        return Response(None, status_code=204, headers={"HX-Redirect": login_url(exc.next_path)})
    return Redirect(login_url(exc.next_path), status_code=303)


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("page %s %s failed", request.method, request.url.path, exc_info=exc)
    return _page_error(request, 500, "Something went wrong on our side. Please try again.")


PAGE_EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    LoginRequired: _login_required,
    AppError: _app_error,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    Exception: _unexpected,
}
