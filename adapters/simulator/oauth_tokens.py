"""The three OAuth token endpoints used by the credential-file (subscription) logins.

Adapters for Gemini CLI, Qwen Code and Claude Code credentials must refresh tokens correctly:
Google never rotates the refresh token, Qwen and Claude do, and Claude kills the old refresh
token at once (reuse is detected and answered with ``invalid_grant``, and it also revokes the
token family, as OAuth reuse detection does). The simulator implements all three so those paths
are tested for real, and it issues expiring access tokens the model endpoints then check.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import parse_qsl

from litestar import Request, Response, post
from litestar.handlers import HTTPRouteHandler

from adapters.simulator.common import Failure, json_response, loads_object, request_headers
from adapters.simulator.state import SimulatorState
from adapters.simulator.token_store import InvalidGrant, Issuer


def check_oauth_bearer(state: SimulatorState, issuer: Issuer, token: str) -> None:
    """Raise the ``auth`` failure a real API gives for an unknown or expired access token."""
    verdict = state.tokens.check_access(issuer, token)
    if verdict == "expired":
        raise Failure("auth", "OAuth access token has expired. Refresh it and retry.")
    if verdict == "unknown":
        raise Failure("auth", "Invalid OAuth access token (not issued by this server).")


def _oauth_error(error: str, description: str) -> Response[bytes]:
    return json_response({"error": error, "error_description": description}, status=400)


def _form(raw: bytes) -> dict[str, str]:
    return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))


def _origin(request: Request[Any, Any, Any]) -> str:
    return str(request.base_url).rstrip("/")


async def _exchange(
    state: SimulatorState, request: Request[Any, Any, Any], issuer: Issuer, *, form: bool
) -> Response[bytes]:
    raw = await request.body()
    content_type = request.headers.get("content-type", "")
    body: dict[str, Any]
    expected = "application/x-www-form-urlencoded" if form else "application/json"
    if not content_type.startswith(expected):
        state.log.record(
            provider=f"oauth-{issuer}",
            path=request.url.path,
            headers=request_headers(request),
            body=None,
        ).status = 400
        return _oauth_error("invalid_request", f"Content-Type must be {expected}.")
    try:
        body = _form(raw) if form else loads_object(raw)
    except Failure as exc:
        return _oauth_error("invalid_request", exc.message)
    entry = state.log.record(
        provider=f"oauth-{issuer}",
        path=request.url.path,
        headers=request_headers(request),
        body=body,
    )
    response = _grant(state, issuer, body, _origin(request))
    entry.status = response.status_code or 200
    entry.completed = True
    return response


def _grant(
    state: SimulatorState, issuer: Issuer, body: dict[str, Any], origin: str
) -> Response[bytes]:
    if body.get("grant_type") != "refresh_token":
        return _oauth_error("unsupported_grant_type", "grant_type must be refresh_token.")
    refresh_token = body.get("refresh_token")
    if not isinstance(refresh_token, str) or not refresh_token:
        return _oauth_error("invalid_request", "Missing required parameter: refresh_token.")
    if not body.get("client_id"):
        return _oauth_error("invalid_client", "Missing required parameter: client_id.")
    try:
        grant = state.tokens.refresh(issuer, refresh_token)
    except InvalidGrant as exc:
        return _oauth_error("invalid_grant", f"Token has been expired or revoked ({exc}).")
    out: dict[str, Any] = {
        "access_token": grant.access_token,
        "token_type": "Bearer",
        "expires_in": grant.expires_in,
    }
    if grant.refresh_token is not None:
        out["refresh_token"] = grant.refresh_token
    return json_response({**out, **_issuer_fields(issuer, body, origin)})


def _issuer_fields(issuer: Issuer, body: dict[str, Any], origin: str) -> dict[str, Any]:
    """What each vendor adds to a token response besides the tokens."""
    if issuer == "google":
        return {
            "scope": "https://www.googleapis.com/auth/cloud-platform openid",
            "id_token": "sim-id-" + secrets.token_urlsafe(16),
        }
    if issuer == "qwen":
        return {"resource_url": f"{origin}/qwen"}
    return {
        "scope": body.get("scope") or "user:inference user:profile",
        "organization": {"uuid": "sim-org", "name": "Simulator"},
        "account": {"uuid": "sim-account", "email_address": "sim@example.invalid"},
    }


def oauth_routes(state: SimulatorState) -> list[HTTPRouteHandler]:
    """Route handlers for ``/oauth/{google,qwen,claude}/token``."""

    @post("/oauth/google/token", status_code=200)
    async def google_token(request: Request[Any, Any, Any]) -> Response[bytes]:
        """Google's installed-app refresh: form body, refresh token never rotates."""
        return await _exchange(state, request, "google", form=True)

    @post("/oauth/qwen/token", status_code=200)
    async def qwen_token(request: Request[Any, Any, Any]) -> Response[bytes]:
        """Qwen Code's refresh: form body, rotating refresh token, returns resource_url."""
        return await _exchange(state, request, "qwen", form=True)

    @post("/oauth/claude/token", status_code=200)
    async def claude_token(request: Request[Any, Any, Any]) -> Response[bytes]:
        """Claude Code's refresh: JSON body, rotating refresh token with reuse detection."""
        return await _exchange(state, request, "claude", form=False)

    return [google_token, qwen_token, claude_token]
