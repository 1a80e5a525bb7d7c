"""Each SDK's own exception objects map to the normalized errors (no network)."""

from __future__ import annotations

import anthropic
import httpx2
import openai
from google.genai import errors as genai_errors

from adapters.anthropic.errors import map_anthropic_error
from adapters.errors import (
    ContextTooLong,
    InvalidCredentials,
    PermissionDenied,
    ProviderUnavailable,
    QuotaExhausted,
    RateLimited,
)
from adapters.gemini.errors import map_gemini_error
from adapters.openai_chat.errors import map_openai_error

KEY = "sk-proj-Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2"


def _response(status: int, body: dict[str, object], **headers: str) -> httpx2.Response:
    request = httpx2.Request("POST", "https://api.example.test/v1/chat/completions")
    return httpx2.Response(status, json=body, headers=headers, request=request)


def test_openai_insufficient_quota_is_quota_not_rate_limit() -> None:
    body = {"error": {"message": "You exceeded your current quota", "code": "insufficient_quota"}}
    exc = openai.RateLimitError(
        "quota", response=_response(429, body, **{"x-request-id": "req_9"}), body=body["error"]
    )

    error = map_openai_error(exc, provider="openai", display="OpenAI")

    assert isinstance(error, QuotaExhausted)
    assert error.request_id == "req_9"
    assert error.status == 429


def test_openai_rate_limit_keeps_retry_after() -> None:
    body = {"error": {"message": "Rate limit reached", "code": "rate_limit_exceeded"}}
    exc = openai.RateLimitError(
        "slow", response=_response(429, body, **{"retry-after": "3"}), body=body["error"]
    )

    error = map_openai_error(exc, provider="openai", display="OpenAI")

    assert isinstance(error, RateLimited)
    assert error.retry_after == 3.0


def test_openai_401_message_never_contains_the_key() -> None:
    body = {"error": {"message": f"Incorrect API key provided: {KEY}", "code": "invalid_api_key"}}
    exc = openai.AuthenticationError("bad", response=_response(401, body), body=body["error"])

    error = map_openai_error(exc, provider="openai", display="OpenAI", secrets=[KEY])

    assert isinstance(error, InvalidCredentials)
    assert KEY not in repr(error)
    assert "OpenAI rejected this key (HTTP 401)" in error.message


def test_openai_context_length_exceeded() -> None:
    body = {"error": {"message": "maximum context length", "code": "context_length_exceeded"}}
    exc = openai.BadRequestError("long", response=_response(400, body), body=body["error"])

    assert isinstance(map_openai_error(exc, provider="openai", display="OpenAI"), ContextTooLong)


def test_openai_connection_error_is_unavailable() -> None:
    request = httpx2.Request("GET", "https://api.example.test/v1/models")
    exc = openai.APIConnectionError(request=request)

    assert isinstance(
        map_openai_error(exc, provider="openai", display="OpenAI"), ProviderUnavailable
    )


def test_anthropic_overloaded_529_is_unavailable() -> None:
    body = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    exc = anthropic.APIStatusError(
        "overloaded", response=_response(529, body, **{"request-id": "req_a"}), body=body
    )

    error = map_anthropic_error(exc, provider="anthropic", display="Anthropic")

    assert isinstance(error, ProviderUnavailable)
    assert error.request_id == "req_a"


def test_anthropic_mid_stream_error_event_uses_its_type() -> None:
    body = {"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}
    exc = anthropic.APIStatusError("err", response=_response(200, body), body=body)

    assert isinstance(map_anthropic_error(exc, provider="anthropic", display="A"), RateLimited)


def test_anthropic_billing_is_quota() -> None:
    body = {"type": "error", "error": {"type": "billing_error", "message": "no credit"}}
    exc = anthropic.APIStatusError("billing", response=_response(402, body), body=body)

    assert isinstance(map_anthropic_error(exc, provider="anthropic", display="A"), QuotaExhausted)


def _gemini(code: int, status: str, details: list[dict[str, object]]) -> genai_errors.APIError:
    body = {"error": {"code": code, "message": "m", "status": status, "details": details}}
    return genai_errors.APIError(code, body)


def test_gemini_api_key_invalid_is_invalid_credentials() -> None:
    exc = _gemini(
        400,
        "INVALID_ARGUMENT",
        [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}],
    )

    assert isinstance(map_gemini_error(exc, provider="gemini", display="G"), InvalidCredentials)


def test_gemini_per_day_quota_is_quota_exhausted() -> None:
    exc = _gemini(
        429,
        "RESOURCE_EXHAUSTED",
        [
            {
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                "violations": [{"quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier"}],
            }
        ],
    )

    assert isinstance(map_gemini_error(exc, provider="gemini", display="G"), QuotaExhausted)


def test_gemini_per_minute_quota_is_rate_limit_with_retry_delay() -> None:
    exc = _gemini(
        429,
        "RESOURCE_EXHAUSTED",
        [
            {
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                "violations": [{"quotaId": "GenerateRequestsPerMinutePerProjectPerModel"}],
            },
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "0.84s"},
        ],
    )

    error = map_gemini_error(exc, provider="gemini", display="G")

    assert isinstance(error, RateLimited)
    assert error.retry_after == 0.84


def test_gemini_403_is_permission_denied() -> None:
    exc = _gemini(403, "PERMISSION_DENIED", [])

    assert isinstance(map_gemini_error(exc, provider="gemini", display="G"), PermissionDenied)
