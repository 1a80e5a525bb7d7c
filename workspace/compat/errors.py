"""Errors in each API's own envelope, with the Switchboard ``code`` inside.

Every refusal is first the app's problem+json (one mapping of exceptions to codes and statuses,
:mod:`workspace.server.errors`); :class:`EnvelopeMiddleware`, on the gateway's routes, rewrites
that body into the envelope the client's SDK parses, keeping the status and headers
(``Retry-After``). A request no gateway route takes (an unknown ``/v1/...`` path, a wrong
method) never reaches that middleware: the app's HTTP error handler passes its problem through
:func:`for_path` instead. An error met while streaming uses the same envelopes
(:func:`openai_error`, :func:`anthropic_error`), with the status the catalogue gives its code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from litestar import Response
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from workspace.errors import CATALOGUE

Envelope = Callable[[str, str, int, str | None], dict[str, object]]

_OPENAI_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "insufficient_quota",
    403: "permission_error",
    404: "not_found_error",
    409: "conflict_error",
    413: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
}
_ANTHROPIC_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    422: "invalid_request_error",
    429: "rate_limit_error",
    503: "overloaded_error",
}


def status_of(code: str) -> int:
    """The status a code answers with; a provider's code missing from the catalogue is a 502."""
    entry = CATALOGUE.get(code)
    return entry.status if entry else 502


def openai_error(
    code: str, message: str, status: int | None = None, param: str | None = None
) -> dict[str, object]:
    """``{"error": {"message", "type", "param", "code"}}`` as OpenAI's SDKs read it."""
    status = status or status_of(code)
    kind = _OPENAI_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def anthropic_error(
    code: str, message: str, status: int | None = None, param: str | None = None
) -> dict[str, object]:
    """``{"type": "error", "error": {"type", "message"}}`` as Anthropic's SDKs read it, plus
    our ``code`` (and the field at fault, when one is)."""
    status = status or status_of(code)
    kind = _ANTHROPIC_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")
    error: dict[str, object] = {"type": kind, "message": message, "code": code}
    if param:
        error["param"] = param
    return {"type": "error", "error": error}


GATEWAY_PREFIX = "/v1"
ANTHROPIC_PATHS = ("/v1/messages",)


def envelope_for(path: str) -> Envelope | None:
    """The envelope of the API a path belongs to: Anthropic's for ``/v1/messages...``,
    OpenAI's for every other ``/v1`` path (a client of an unknown path most likely speaks
    OpenAI's format); None outside the gateway."""
    if any(path == p or path.startswith(f"{p}/") for p in ANTHROPIC_PATHS):
        return anthropic_error
    if path == GATEWAY_PREFIX or path.startswith(f"{GATEWAY_PREFIX}/"):
        return openai_error
    return None


def for_path(path: str, response: Response[Any]) -> Response[Any]:
    """``response`` (a problem document) in the envelope of the gateway API ``path`` belongs
    to, same status and headers; unchanged outside the gateway."""
    envelope = envelope_for(path)
    if envelope is None or not isinstance(response.content, dict):
        return response
    status = response.status_code or 500
    return Response(
        _envelope_of(response.content, status, envelope),
        status_code=status,
        media_type="application/json",
        headers=response.headers,
    )


def _envelope_of(problem: dict[str, Any], status: int, envelope: Envelope) -> bytes:
    code = str(problem.get("code") or "internal_error")
    detail = str(problem.get("detail") or problem.get("title") or code)
    field = problem.get("field")
    if field is None and isinstance(errors := problem.get("errors"), list) and errors:
        first = errors[0]
        if isinstance(first, dict):
            field = first.get("key")
            # "The request is not valid." says little to a script: name what is wrong.
            if first.get("message"):
                detail = f"{detail.rstrip('.')}: {first['message']}"
    return json.dumps(envelope(code, detail, status, str(field) if field else None)).encode()


class EnvelopeMiddleware:
    """Rewrite a problem+json response of the wrapped routes into ``envelope``."""

    def __init__(self, app: ASGIApp, envelope: Envelope) -> None:
        self.app, self.envelope = app, envelope

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body: list[bytes] = []

        async def rewrite(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start" and _is_problem(message):
                start = message
                return
            if start is None:
                await send(message)
                return
            body.append(message.get("body", b""))  # type: ignore[arg-type]
            if not message.get("more_body", False):
                await self._send_envelope(send, start, b"".join(body))

        await self.app(scope, receive, rewrite)

    async def _send_envelope(self, send: Send, start: Message, raw: bytes) -> None:
        status = int(start["status"])  # type: ignore[typeddict-item]
        try:
            problem = json.loads(raw)
        except ValueError:
            problem = {}
        payload = _envelope_of(problem if isinstance(problem, dict) else {}, status, self.envelope)
        kept = [
            (name, value)
            for name, value in start.get("headers", [])  # type: ignore[attr-defined]
            if name.lower() not in (b"content-type", b"content-length")
        ]
        headers = [
            *kept,
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload, "more_body": False})


def _is_problem(message: Message) -> bool:
    for name, value in message.get("headers", []):  # type: ignore[attr-defined]
        if name.lower() == b"content-type":
            return bytes(value).startswith(b"application/problem+json")
    return False
