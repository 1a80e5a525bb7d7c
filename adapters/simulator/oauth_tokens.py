"""The three OAuth token endpoints used by the credential-file (subscription) logins.

Adapters for Gemini CLI, Qwen Code and Claude Code credentials must refresh tokens correctly:
Google never rotates the refresh token, Qwen and Claude do, and Claude kills the old refresh
token at once (reuse is detected and answered with ``invalid_grant``, and it also revokes the
token family, as OAuth reuse detection does). The simulator implements all three so those paths
are tested for real, and it issues expiring access tokens the model endpoints then check.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal
from urllib.parse import parse_qsl

from litestar import Request, Response, post
from litestar.handlers import HTTPRouteHandler

from adapters.simulator.common import Failure, json_response, loads_object, request_headers

if TYPE_CHECKING:
    from adapters.simulator.state import SimulatorState

Issuer = Literal["google", "qwen", "claude"]

STATIC_TOKEN_PREFIX: Final = "sim-ok-"
"""Bearer tokens with this prefix are always valid, so tests can use static credentials."""

DEFAULT_ACCESS_TTL_S: Final = 3600

_ROTATES: Final[dict[Issuer, bool]] = {"google": False, "qwen": True, "claude": True}
_PREFIX: Final[dict[Issuer, str]] = {
    "google": "ya29.sim-",
    "qwen": "qwen-sim-",
    "claude": "sk-ant-oat-sim-",
}


class InvalidGrant(Exception):
    """The refresh token is unknown to a rotating issuer, already used, or revoked."""


@dataclass(slots=True)
class _Issued:
    issuer: Issuer
    expires_at: float


@dataclass(frozen=True, slots=True)
class Grant:
    """What a successful refresh hands back."""

    access_token: str
    expires_in: int
    refresh_token: str | None


class TokenStore:
    """Issued access tokens and the refresh-token families of rotating issuers."""

    def __init__(self) -> None:
        self.access_ttl_s = DEFAULT_ACCESS_TTL_S
        self.refresh_calls: Counter[str] = Counter()
        self._access: dict[str, _Issued] = {}
        self._live: dict[tuple[Issuer, str], int] = {}
        self._dead: dict[tuple[Issuer, str], int] = {}
        self._family_seq = 0

    def refresh(self, issuer: Issuer, refresh_token: str) -> Grant:
        """Exchange a refresh token; rotating issuers retire it and detect reuse.

        A refresh token never seen before is accepted as the start of a new family (tests write
        credential files with arbitrary tokens); a retired one is reuse, which also revokes the
        live token of its family so a leaked copy cannot keep the login alive.
        """
        self.refresh_calls[issuer] += 1
        if "invalid" in refresh_token.lower():
            raise InvalidGrant("refresh token revoked")
        if not _ROTATES[issuer]:
            return Grant(self._issue_access(issuer), self.access_ttl_s, None)
        key = (issuer, refresh_token)
        if key in self._dead:
            family = self._dead[key]
            for live_key, live_family in list(self._live.items()):
                if live_family == family:
                    del self._live[live_key]
                    self._dead[live_key] = family
            raise InvalidGrant("refresh token reused")
        if key in self._live:
            family = self._live.pop(key)
        else:
            self._family_seq += 1
            family = self._family_seq
        self._dead[key] = family
        new_refresh = _PREFIX[issuer] + "rt-" + secrets.token_urlsafe(24)
        self._live[(issuer, new_refresh)] = family
        return Grant(self._issue_access(issuer), self.access_ttl_s, new_refresh)

    def _issue_access(self, issuer: Issuer) -> str:
        token = _PREFIX[issuer] + secrets.token_urlsafe(24)
        self._access[token] = _Issued(issuer, time.time() + self.access_ttl_s)
        return token

    def check_access(self, issuer: Issuer, token: str) -> Literal["ok", "expired", "unknown"]:
        """Whether a Bearer token may call this issuer's model endpoints."""
        if token.startswith(STATIC_TOKEN_PREFIX):
            return "ok"
        issued = self._access.get(token)
        if issued is None or issued.issuer != issuer:
            return "unknown"
        if issued.expires_at <= time.time():
            return "expired"
        return "ok"


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


def oauth_routes(state: SimulatorState) -> list[HTTPRouteHandler]:
    """Route handlers for ``/oauth/{google,qwen,claude}/token``."""

    async def exchange(
        request: Request[Any, Any, Any], issuer: Issuer, *, form: bool
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
        response = _grant(issuer, body, _origin(request))
        entry.status = response.status_code or 200
        entry.completed = True
        return response

    def _grant(issuer: Issuer, body: dict[str, Any], origin: str) -> Response[bytes]:
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
        if issuer == "google":
            out["scope"] = "https://www.googleapis.com/auth/cloud-platform openid"
            out["id_token"] = "sim-id-" + secrets.token_urlsafe(16)
        if grant.refresh_token is not None:
            out["refresh_token"] = grant.refresh_token
        if issuer == "qwen":
            out["resource_url"] = f"{origin}/qwen"
        if issuer == "claude":
            out["scope"] = body.get("scope") or "user:inference user:profile"
            out["organization"] = {"uuid": "sim-org", "name": "Simulator"}
            out["account"] = {"uuid": "sim-account", "email_address": "sim@example.invalid"}
        return json_response(out)

    @post("/oauth/google/token", status_code=200)
    async def google_token(request: Request[Any, Any, Any]) -> Response[bytes]:
        """Google's installed-app refresh: form body, refresh token never rotates."""
        return await exchange(request, "google", form=True)

    @post("/oauth/qwen/token", status_code=200)
    async def qwen_token(request: Request[Any, Any, Any]) -> Response[bytes]:
        """Qwen Code's refresh: form body, rotating refresh token, returns resource_url."""
        return await exchange(request, "qwen", form=True)

    @post("/oauth/claude/token", status_code=200)
    async def claude_token(request: Request[Any, Any, Any]) -> Response[bytes]:
        """Claude Code's refresh: JSON body, rotating refresh token with reuse detection."""
        return await exchange(request, "claude", form=False)

    return [google_token, qwen_token, claude_token]
