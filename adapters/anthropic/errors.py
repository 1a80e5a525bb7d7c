"""Anthropic SDK exceptions -> normalized errors."""

from __future__ import annotations

from collections.abc import Iterable

import anthropic
import httpx2

from adapters.errormap import from_http, parse_retry_after, unreachable, vendor_detail
from adapters.errors import ProviderError, ProviderUnavailable

# A mid-stream `event: error` arrives on an HTTP 200 response; its type says what happened.
_TYPE_STATUS = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "overloaded_error": 529,
}


def map_anthropic_error(
    exc: BaseException, *, provider: str, display: str, secrets: Iterable[str] = ()
) -> ProviderError:
    """Normalize anything the anthropic SDK (or its transport) raised during a call."""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, anthropic.APITimeoutError | httpx2.TimeoutException):
        return unreachable(provider, display, timeout=True, secrets=secrets)
    if isinstance(exc, anthropic.APIConnectionError | httpx2.TransportError):
        return unreachable(provider, display, secrets=secrets)
    if isinstance(exc, anthropic.APIStatusError):
        code, detail = vendor_detail(exc.body)
        status = exc.status_code
        if status < 400:
            status = _TYPE_STATUS.get(code or "", 500)
        return from_http(
            provider=provider,
            display=display,
            status=status,
            code=code,
            detail=detail or exc.message,
            request_id=exc.request_id,
            retry_after=parse_retry_after(dict(exc.response.headers)),
            secrets=secrets,
        )
    return ProviderUnavailable(
        f"{display} sent a response that could not be read ({type(exc).__name__}).",
        provider=provider,
        secrets=secrets,
    )
