"""Refreshing credential-file logins: before expiry, single-flight, written back before use.

Two of the three vendors rotate the refresh token and Claude kills the old one at once, so a
refresh must happen exactly once per expiry across every replica. The sequence is always:
take the credential's cross-process lock, re-read the stored credential (another replica may
have refreshed already; then its fresh token is used as is), call the token endpoint once, and
save the new tokens (check-and-set) before the new access token is used anywhere.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from adapters.config import AdapterConfig
from adapters.errormap import unreachable
from adapters.errors import BadRequest, InvalidCredentials, ProviderError, ProviderUnavailable
from adapters.oauth.files import as_epoch_ms, as_str
from adapters.types import OAuthCredential

logger = logging.getLogger(__name__)

DEFAULT_EXPIRES_IN_S = 3600


@dataclass(frozen=True, slots=True)
class RefreshCall:
    """One token-endpoint request: a form body (Google, Qwen) or a JSON body (Claude)."""

    url: str
    form: dict[str, str] | None = None
    json: dict[str, str] | None = None


class TokenSpec(ABC):
    """How one vendor's credential file holds its tokens and how its token endpoint is called."""

    provider: str
    display: str
    # Operator-facing name of the setting that holds the CLI's OAuth client id.
    client_setting: str

    @abstractmethod
    def access_token(self, data: Mapping[str, object]) -> str:
        """The access token in the file ('' if there is none)."""

    @abstractmethod
    def refresh_token(self, data: Mapping[str, object]) -> str:
        """The refresh token in the file ('' if there is none)."""

    @abstractmethod
    def expires_at_ms(self, data: Mapping[str, object]) -> int | None:
        """When the access token expires (epoch ms), None if the file does not say."""

    @abstractmethod
    def refresh_call(self, data: Mapping[str, object], config: AdapterConfig) -> RefreshCall:
        """The token-endpoint request for this file's refresh token."""

    @abstractmethod
    def apply(
        self, data: Mapping[str, object], grant: Mapping[str, object], now_ms: int
    ) -> dict[str, object]:
        """The file as it must be stored after a successful refresh (all other fields kept)."""


class FlatTokens(TokenSpec):
    """A file with top-level ``access_token``, ``refresh_token`` and ``expiry_date`` (epoch ms)."""

    def access_token(self, data: Mapping[str, object]) -> str:
        return as_str(data.get("access_token"))

    def refresh_token(self, data: Mapping[str, object]) -> str:
        return as_str(data.get("refresh_token"))

    def expires_at_ms(self, data: Mapping[str, object]) -> int | None:
        return as_epoch_ms(data.get("expiry_date"))


def expires_in_ms(grant: Mapping[str, object], now_ms: int) -> int:
    """The new expiry (epoch ms) from a token response's ``expires_in`` seconds."""
    value = grant.get("expires_in")
    seconds = (
        value
        if isinstance(value, int | float) and not isinstance(value, bool)
        else DEFAULT_EXPIRES_IN_S
    )
    return now_ms + int(seconds * 1000)


class _InvalidGrant(Exception):
    """The token endpoint says the refresh token is dead."""


def _now_ms() -> int:
    return int(time.time() * 1000)


class TokenManager:
    """Hands out a usable access token for a credential, refreshing it when needed."""

    def __init__(self, spec: TokenSpec, config: AdapterConfig) -> None:
        self.spec = spec
        self.config = config

    def is_stale(self, data: Mapping[str, object]) -> bool:
        """True when the access token is missing or expires within the configured margin."""
        if not self.spec.access_token(data):
            return True
        expires = self.spec.expires_at_ms(data)
        if expires is None:
            # The file does not say; a 401 from the API triggers the refresh instead.
            return False
        return expires - self.config.oauth_refresh_margin_s * 1000 <= _now_ms()

    async def access_token(
        self, credential: OAuthCredential, *, rejected: str | None = None
    ) -> str:
        """A fresh access token; `rejected` is a token the API just refused with a 401.

        The credential's `data` is updated in place, so other calls sharing this credential
        object in this process see the new tokens without taking the lock again.
        """
        if rejected is None and not self.is_stale(credential.data):
            return self.spec.access_token(credential.data)
        fresh = await self._refreshed(credential, rejected)
        if fresh is not credential.data:
            credential.data.clear()
            credential.data.update(fresh)
        return self.spec.access_token(fresh)

    async def _refreshed(
        self, credential: OAuthCredential, rejected: str | None
    ) -> dict[str, object]:
        store = credential.store
        if store is None:
            # Nothing to write back to: only safe for a vendor that does not rotate, so the
            # app always attaches a store; this path serves ad-hoc checks and tests.
            return await self._exchange_or_fail(credential.data)
        async with await store.lock():
            data = await store.load()
            current = self.spec.access_token(data)
            if not self.is_stale(data) and (rejected is None or current != rejected):
                return data
            try:
                fresh = await self._exchange(data)
            except _InvalidGrant:
                await store.mark_expired()
                raise self._dead_login() from None
            await store.save(fresh)
            return fresh

    async def _exchange_or_fail(self, data: dict[str, object]) -> dict[str, object]:
        try:
            return await self._exchange(data)
        except _InvalidGrant:
            raise self._dead_login() from None

    def _dead_login(self) -> InvalidCredentials:
        return InvalidCredentials(
            f"Your {self.spec.display} login has expired or was revoked, so it was marked "
            f"expired. Sign in again with the CLI and paste the fresh credential file.",
            provider=self.spec.provider,
            status=400,
        )

    async def _exchange(self, data: Mapping[str, object]) -> dict[str, object]:
        """Call the token endpoint once (no retries: a rotated token must not be reused)."""
        refresh_token = self.spec.refresh_token(data)
        if not refresh_token:
            raise InvalidCredentials(
                f"The stored {self.spec.display} credential has no refresh token; paste a "
                "fresh credential file.",
                provider=self.spec.provider,
            )
        call = self.spec.refresh_call(data, self.config)
        if not (call.form or call.json or {}).get("client_id"):
            raise BadRequest(
                f"{self.spec.display} logins cannot be refreshed: the operator has not set "
                f"the CLI's OAuth client id ({self.spec.client_setting}).",
                provider=self.spec.provider,
            )
        secrets = (refresh_token, self.spec.access_token(data))
        timeout = httpx.Timeout(
            self.config.request_timeout_s, connect=self.config.connect_timeout_s
        )
        try:
            async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
                response = await client.post(
                    call.url, data=call.form, json=call.json, headers={"accept": "application/json"}
                )
        except httpx.TimeoutException:
            raise unreachable(
                self.spec.provider, f"{self.spec.display} sign-in", timeout=True, secrets=secrets
            ) from None
        except httpx.HTTPError:
            raise unreachable(
                self.spec.provider, f"{self.spec.display} sign-in", secrets=secrets
            ) from None
        grant = _json_object(response)
        if response.status_code >= 400 or grant is None or "access_token" not in grant:
            raise self._failure(response.status_code, grant or {}, secrets)
        return self.spec.apply(data, grant, _now_ms())

    def _failure(
        self, status: int, body: Mapping[str, object], secrets: tuple[str, ...]
    ) -> ProviderError:
        error = body.get("error")
        code = error if isinstance(error, str) else ""
        if code == "invalid_grant":
            raise _InvalidGrant
        logger.warning("%s token refresh failed: HTTP %s %s", self.spec.provider, status, code)
        if status >= 500 or status in (408, 429) or status < 400:
            return ProviderUnavailable(
                f"{self.spec.display} sign-in could not refresh the login right now "
                f"(HTTP {status}); try again shortly.",
                provider=self.spec.provider,
                status=status,
                secrets=secrets,
            )
        if code == "invalid_client":
            return BadRequest(
                f"{self.spec.display} sign-in refused the operator's OAuth client "
                f"({self.spec.client_setting}); the operator must fix that setting.",
                provider=self.spec.provider,
                status=status,
                secrets=secrets,
            )
        return InvalidCredentials(
            f"{self.spec.display} sign-in refused to refresh this login (HTTP {status}"
            f"{', ' + code if code else ''}). Paste a fresh credential file if it persists.",
            provider=self.spec.provider,
            status=status,
            secrets=secrets,
        )


def _json_object(response: httpx.Response) -> dict[str, object] | None:
    try:
        value = response.json()
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
