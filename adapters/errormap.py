"""Shared rules for turning an HTTP failure into a normalized `ProviderError`.

Each SDK has its own exception types; the per-SDK modules extract (status, vendor code, vendor
message, request id, retry-after) and this module decides the type and writes the sentence, so
every provider words the same failure the same way.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Iterable, Mapping

from adapters.errors import (
    BadRequest,
    ContextTooLong,
    InvalidCredentials,
    ModelNotFound,
    PermissionDenied,
    ProviderError,
    ProviderUnavailable,
    QuotaExhausted,
    RateLimited,
)

_CONTEXT_HINTS = (
    "context_length_exceeded",
    "context length",
    "context window",
    "prompt is too long",
    "too many tokens",
    "maximum context",
    "input token count",
)
_QUOTA_HINTS = ("insufficient_quota", "billing", "credit balance", "quota", "spend limit")


def parse_retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait from `retry-after-ms` / `Retry-After` (seconds or an HTTP date)."""
    if not headers:
        return None
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(float(millis) / 1000.0, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def vendor_detail(body: object) -> tuple[str | None, str]:
    """(error code or type, message) from a vendor JSON error body, tolerant of shapes."""
    if isinstance(body, bytes):
        body = body.decode(errors="replace")
    if isinstance(body, str):
        text: str = body
        try:
            body = json.loads(text)
        except ValueError:
            return None, text
    if isinstance(body, Mapping):
        inner = body.get("error", body)
        if isinstance(inner, Mapping):
            code = inner.get("code") or inner.get("type") or inner.get("status")
            message = inner.get("message") or ""
            return (str(code) if code is not None else None), str(message)
        if isinstance(inner, str):
            return None, inner
    return None, ""


def _said(display: str, detail: str) -> str:
    detail = detail.strip()
    if not detail:
        return ""
    return f" {display} said: {detail[:300]}"


def from_http(
    *,
    provider: str,
    display: str,
    status: int | None,
    code: str | None,
    detail: str,
    request_id: str | None,
    retry_after: float | None,
    secrets: Iterable[str] = (),
) -> ProviderError:
    """The normalized error for an HTTP failure, with a sentence that names the fix."""
    cls, sentence = _classify(display, status, code, detail, retry_after)
    extra = {"retry_after": retry_after} if cls is RateLimited else {}
    return cls(
        sentence + _said(display, detail),
        provider=provider,
        status=status,
        request_id=request_id,
        secrets=tuple(secrets),
        **extra,
    )


def _classify(
    display: str, status: int | None, code: str | None, detail: str, retry_after: float | None
) -> tuple[type[ProviderError], str]:
    """Which error an HTTP failure is, and the sentence that names the fix."""
    hint = f"{code or ''} {detail}".lower()
    where = f" (HTTP {status})" if status else ""
    if status == 401:
        return InvalidCredentials, (
            f"{display} rejected this key{where}. Check that it is copied whole and not revoked."
        )
    if status == 402 or (status in (400, 403, 429) and _quota(code, hint)):
        return QuotaExhausted, (
            f"{display} says this key is out of quota or credit{where}. "
            "Add billing or raise the limit with the provider."
        )
    if status == 403:
        return PermissionDenied, (
            f"{display} refused access{where}: the key is valid but not allowed to do this."
        )
    if status == 429:
        wait = f"try again in {retry_after:g} s" if retry_after is not None else "try again soon"
        return RateLimited, f"{display} is rate-limiting this key; {wait}."
    if status in (400, 413, 422) and any(h in hint for h in _CONTEXT_HINTS):
        return ContextTooLong, f"The conversation is too long for this {display} model{where}."
    if status == 404:
        return ModelNotFound, f"{display} does not serve this model to this key{where}."
    if status is not None and (status >= 500 or status in (408, 409)):
        return ProviderUnavailable, (
            f"{display} is unavailable or overloaded right now{where}; try again shortly."
        )
    if status is None:
        return ProviderUnavailable, f"{display} sent a response that could not be read."
    return BadRequest, f"{display} refused the request{where}."


def _quota(code: str | None, hint: str) -> bool:
    if code in ("insufficient_quota", "billing_error", "quota_exceeded"):
        return True
    return any(h in hint for h in _QUOTA_HINTS) and "rate" not in (code or "")


def unreachable(
    provider: str, display: str, *, timeout: bool = False, secrets: Iterable[str] = ()
) -> ProviderUnavailable:
    """A connection failure or timeout (no HTTP answer at all)."""
    what = "did not answer in time" if timeout else "could not be reached"
    return ProviderUnavailable(
        f"{display} {what}; check the network or the base URL and try again.",
        provider=provider,
        secrets=secrets,
    )
