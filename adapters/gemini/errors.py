"""google-genai exceptions -> normalized errors.

Gemini reports everything as `APIError(code, status, details)`; the real meaning is in the
google.rpc details: `ErrorInfo.reason` (API_KEY_INVALID), `QuotaFailure.violations[].quotaId`
(a `PerDay` quota is exhausted for the day, anything else is a rate limit) and
`RetryInfo.retryDelay` ("0.84s").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import httpx
import httpx2
from google.genai import errors as genai_errors

from adapters.errormap import from_http, unreachable
from adapters.errors import (
    InvalidCredentials,
    ProviderError,
    ProviderUnavailable,
    QuotaExhausted,
    RateLimited,
)


def rpc_details(details: object) -> list[Mapping[str, object]]:
    """The google.rpc detail objects inside an error body, whatever its nesting."""
    body = details
    if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
        body = body["error"]
    found = body.get("details") if isinstance(body, Mapping) else None
    return [d for d in found if isinstance(d, Mapping)] if isinstance(found, list) else []


def parse_duration(value: object) -> float | None:
    """Seconds from a protobuf Duration string like ``"0.84s"`` or ``"20s"``."""
    if not isinstance(value, str) or not value.endswith("s"):
        return None
    try:
        return max(float(value[:-1]), 0.0)
    except ValueError:
        return None


def map_gemini_error(
    exc: BaseException, *, provider: str, display: str, secrets: Iterable[str] = ()
) -> ProviderError:
    """Normalize anything google-genai (or httpx under it) raised during a call."""
    secrets = tuple(secrets)
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, httpx.TimeoutException | httpx2.TimeoutException):
        return unreachable(provider, display, timeout=True, secrets=secrets)
    if isinstance(exc, httpx.TransportError | httpx2.TransportError | OSError):
        return unreachable(provider, display, secrets=secrets)
    if not isinstance(exc, genai_errors.APIError):
        return ProviderUnavailable(
            f"{display} sent a response that could not be read ({type(exc).__name__}).",
            provider=provider,
            secrets=secrets,
        )
    return _api_error(exc, provider=provider, display=display, secrets=secrets)


def _api_error(
    exc: genai_errors.APIError, *, provider: str, display: str, secrets: tuple[str, ...]
) -> ProviderError:
    """An HTTP answer from Google, read from its google.rpc details first."""
    details = rpc_details(exc.details)
    reasons = {str(d.get("reason")) for d in details if d.get("reason")}
    retry_after = next(
        (parse_duration(d.get("retryDelay")) for d in details if "retryDelay" in d), None
    )
    request_id = _request_id(exc)
    detail = str(exc.message or "")
    status = exc.code
    said = f" {display} said: {detail[:300]}" if detail else ""
    if "API_KEY_INVALID" in reasons or (status == 400 and "api key not valid" in detail.lower()):
        return InvalidCredentials(
            f"{display} rejected this key (HTTP {status}). "
            f"Check that it is copied whole and not revoked.{said}",
            provider=provider,
            status=status,
            request_id=request_id,
            secrets=secrets,
        )
    if status == 429:
        return _too_many(
            details,
            said,
            retry_after,
            provider=provider,
            display=display,
            status=status,
            request_id=request_id,
            secrets=secrets,
        )
    return from_http(
        provider=provider,
        display=display,
        status=status,
        code=exc.status,
        detail=detail,
        request_id=request_id,
        retry_after=retry_after,
        secrets=secrets,
    )


def _too_many(
    details: list[Mapping[str, object]],
    said: str,
    retry_after: float | None,
    *,
    provider: str,
    display: str,
    status: int,
    request_id: str | None,
    secrets: tuple[str, ...],
) -> ProviderError:
    """A 429: a used-up daily quota (a ``PerDay`` quota id) or a rate limit."""
    quota_ids = [
        str(v.get("quotaId", ""))
        for d in details
        for v in _list(d.get("violations"))
        if isinstance(v, Mapping)
    ]
    if any("PerDay" in q for q in quota_ids):
        return QuotaExhausted(
            f"{display} says this key's daily quota is used up (HTTP 429); it resets "
            f"tomorrow, or raise the quota with Google.{said}",
            provider=provider,
            status=status,
            request_id=request_id,
            secrets=secrets,
        )
    wait = f"try again in {retry_after:g} s" if retry_after is not None else "try again soon"
    return RateLimited(
        f"{display} is rate-limiting this key; {wait}.{said}",
        retry_after=retry_after,
        provider=provider,
        status=status,
        request_id=request_id,
        secrets=secrets,
    )


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def _request_id(exc: genai_errors.APIError) -> str | None:
    headers = getattr(exc.response, "headers", None)
    if headers is None:
        return None
    for name in ("x-request-id", "x-goog-request-id", "request-id"):
        value = headers.get(name)
        if value:
            return str(value)
    return None
