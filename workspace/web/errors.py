"""Errors on pages render as HTML (or an HTMX flash), not as problem+json.

Two places use this: the pages router (every error a page handler raises), and the app itself
for requests no route matched (:func:`html_for_browsers`): a browser that opens an unknown
address gets the HTML error page with a link home, while ``/api/*`` keeps problem+json.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template
from litestar.types import ExceptionHandler, ExceptionHandlersMap

from workspace.errors import AppError
from workspace.web.headers import PAGE_HEADERS
from workspace.web.pages import LoginRequired, is_htmx, login_url

log = logging.getLogger(__name__)


# Sentences for errors raised before any page handler ran (the router's own words are terse).
_ROUTING_DETAIL = {
    404: "There is no page at this address. It may have moved, or the link may be mistyped.",
    405: "That page cannot be opened this way.",
}


def _page_error(
    request: Request[Any, Any, Any],
    status: int,
    detail: str,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
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
        headers=headers,
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


def wants_html(request: Request[Any, Any, Any]) -> bool:
    """A browser navigating to a page: not an API path, and HTML is what it accepts."""
    path = request.url.path
    if path == "/api" or path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "")


def _browser_headers() -> dict[str, str]:
    """The pages' own security headers, for an error page drawn outside the pages router."""
    headers = {h.name: h.value or "" for h in PAGE_HEADERS}
    return headers | {"Cache-Control": "no-store"}


def html_for_browsers(handlers: ExceptionHandlersMap) -> ExceptionHandlersMap:
    """``handlers`` (the API's problem+json ones), except that an HTTP error on a request
    :func:`wants_html` is drawn as ``error.html``: an unknown URL in a browser is a page, not
    raw JSON. Everything else goes to the handler it went to before."""
    api_http = handlers.get(HTTPException)

    def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
        if not wants_html(request) and api_http is not None:
            return api_http(request, exc)
        status = exc.status_code
        if status >= 500:
            detail = "Something went wrong."
        else:
            detail = _ROUTING_DETAIL.get(status, exc.detail)
        return _page_error(request, status, detail, _browser_headers())

    replacement: ExceptionHandler[Any] = http_error
    return {**handlers, HTTPException: replacement}
