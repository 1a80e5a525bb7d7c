"""OpenAI SDK exceptions (also Groq, OpenAI-compatible) -> normalized errors."""

from __future__ import annotations

from collections.abc import Iterable

import httpx
import httpx2
import openai

from adapters.errormap import from_http, parse_retry_after, unreachable, vendor_detail
from adapters.errors import ProviderError, ProviderUnavailable


def map_openai_error(
    exc: BaseException, *, provider: str, display: str, secrets: Iterable[str] = ()
) -> ProviderError:
    """Normalize anything the openai SDK (or its transport) raised during a call."""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, openai.APITimeoutError | httpx2.TimeoutException | httpx.TimeoutException):
        return unreachable(provider, display, timeout=True, secrets=secrets)
    if isinstance(exc, openai.APIConnectionError | httpx2.TransportError | httpx.TransportError):
        return unreachable(provider, display, secrets=secrets)
    if isinstance(exc, openai.APIStatusError):
        code, detail = vendor_detail(exc.body)
        headers = dict(exc.response.headers)
        return from_http(
            provider=provider,
            display=display,
            status=exc.status_code,
            code=exc.code or code,
            detail=detail or exc.message,
            request_id=exc.request_id,
            retry_after=parse_retry_after(headers),
            secrets=secrets,
        )
    if isinstance(exc, openai.APIError):
        # An error event inside an otherwise successful stream (no HTTP status).
        code, detail = vendor_detail(exc.body)
        status = _status_from_code(exc.code or code)
        return from_http(
            provider=provider,
            display=display,
            status=status,
            code=exc.code or code,
            detail=detail or exc.message,
            request_id=None,
            retry_after=None,
            secrets=secrets,
        )
    return ProviderUnavailable(
        f"{display} sent a response that could not be read ({type(exc).__name__}).",
        provider=provider,
        secrets=secrets,
    )


def _status_from_code(code: str | None) -> int | None:
    return {
        "rate_limit_exceeded": 429,
        "insufficient_quota": 429,
        "context_length_exceeded": 400,
        "invalid_api_key": 401,
        "server_error": 500,
        "overloaded": 503,
    }.get(code or "")
