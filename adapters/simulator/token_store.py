"""Access and refresh tokens the simulator's OAuth issuers hand out, and their rules.

Google never rotates the refresh token; Qwen and Claude do, and a retired refresh token used
again is reuse: it is refused and revokes its family, as OAuth reuse detection does.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter
from dataclasses import dataclass
from typing import Final, Literal

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
