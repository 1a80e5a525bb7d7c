"""Normalized provider errors.

Every SDK failure becomes one of these types so the app decides retries, fallbacks and the
message a person sees from a stable `code`, never from vendor strings. Messages are scrubbed in
the constructor: vendors echo keys back ("Incorrect API key provided: sk-...") and an error
travels to logs, SSE streams and the audit trail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

_MASK = "[redacted]"

# Ordered: specific vendor shapes first, then the generic long-token catch-all.
_KEY_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?i)\bBearer\s+[A-Za-z0-9._~+/=\-]+"),
    re.compile(r"(?i)\b(?:x-api-key|x-goog-api-key|api[_-]?key|authorization)\b\s*[:=]\s*\S+"),
    re.compile(r"(?i)([?&](?:key|api_key|access_token|token)=)[^&\s\"']+"),
    re.compile(r"\bsk-ant-[A-Za-z0-9_\-]{6,}"),
    re.compile(r"\bsk-[A-Za-z0-9_\-*]{6,}"),
    re.compile(r"\bAIza[0-9A-Za-z_\-]{10,}"),
    re.compile(r"\bgsk_[A-Za-z0-9]{6,}"),
    re.compile(r"\bya29\.[A-Za-z0-9._\-]+"),
    re.compile(r"\b1//[A-Za-z0-9._\-]{10,}"),
    re.compile(r"\bsb_[A-Za-z0-9_\-]{10,}"),
    re.compile(r"\beyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"),
)
# Long tokens mixing letters and digits look random; words and UUID-free ids rarely do.
_LONG_TOKEN = re.compile(r"[A-Za-z0-9_\-+/=]{24,}")


def _looks_random(token: str) -> bool:
    return any(c.isdigit() for c in token) and any(c.isalpha() for c in token)


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask anything key-shaped in `text` (including long random tokens) and every `secrets`."""
    text = scrub_keys(text, secrets)
    return _LONG_TOKEN.sub(lambda m: _MASK if _looks_random(m.group(0)) else m.group(0), text)


def scrub_keys(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask known key formats, bearer tokens and every exact `secrets` value."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, _MASK)
    for pattern in _KEY_PATTERNS:
        if pattern.groups:
            text = pattern.sub(lambda m: m.group(1) + _MASK, text)
        else:
            text = pattern.sub(_MASK, text)
    return text


class ProviderError(Exception):
    """A provider call failed; `code` is stable and machine-readable, `message` is for people."""

    code: ClassVar[str] = "provider_error"

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        status: int | None = None,
        request_id: str | None = None,
        secrets: Iterable[str] = (),
    ) -> None:
        self.message = scrub(message, secrets)
        self.provider = provider
        self.status = status
        # Request ids are random-looking by design: only mask them if they look like a key.
        self.request_id = scrub_keys(request_id, secrets) if request_id else None
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, provider={self.provider!r}, "
            f"status={self.status!r}, request_id={self.request_id!r}, message={self.message!r})"
        )

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling rebuilds from the already-scrubbed attributes (multiprocessing, caches).
        return (
            _rebuild,
            (type(self), self.message, self.provider, self.status, self.request_id, self._extra()),
        )

    def _extra(self) -> dict[str, object]:
        return {}

    def to_dict(self) -> dict[str, object]:
        """A JSON-safe view for problem+json bodies and SSE error events."""
        return {
            "code": self.code,
            "provider": self.provider,
            "status": self.status,
            "request_id": self.request_id,
            "message": self.message,
            **self._extra(),
        }


def _rebuild(
    cls: type[ProviderError],
    message: str,
    provider: str,
    status: int | None,
    request_id: str | None,
    extra: dict[str, object],
) -> ProviderError:
    error = cls(message, provider=provider, status=status, request_id=request_id)
    for name, value in extra.items():
        setattr(error, name, value)
    return error


class InvalidCredentials(ProviderError):
    """The key or token was rejected (revoked, mistyped, wrong provider)."""

    code = "invalid_credentials"


class PermissionDenied(ProviderError):
    """The key is valid but may not use this model, region or feature."""

    code = "provider_permission_denied"


class RateLimited(ProviderError):
    """Too many requests right now; `retry_after` seconds if the provider said."""

    code = "rate_limited"

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        status: int | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        secrets: Iterable[str] = (),
    ) -> None:
        super().__init__(
            message, provider=provider, status=status, request_id=request_id, secrets=secrets
        )
        self.retry_after = retry_after

    def _extra(self) -> dict[str, object]:
        return {"retry_after": self.retry_after}


class QuotaExhausted(ProviderError):
    """Billing or a daily quota ran out; retrying soon will not help."""

    code = "quota_exhausted"


class ContextTooLong(ProviderError):
    """The conversation does not fit the model's context window."""

    code = "context_too_long"


class ProviderUnavailable(ProviderError):
    """The provider is down, overloaded, or unreachable (connection error, timeout, 5xx)."""

    code = "provider_unavailable"


class BadRequest(ProviderError):
    """The provider refused the request's shape or content."""

    code = "bad_request"


class ModelNotFound(ProviderError):
    """The provider does not serve this model (or not to this key)."""

    code = "model_not_found"


class UnsafeBaseURL(BadRequest):
    """A user-supplied base URL points somewhere the server must not connect to."""

    code = "unsafe_base_url"


class Cancelled(ProviderError):
    """The caller went away; the app records the partial answer."""

    code = "cancelled"
