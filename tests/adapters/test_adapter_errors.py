"""Normalized errors never carry a key, whatever the vendor echoed."""

from __future__ import annotations

import pickle

import pytest

from adapters.errormap import from_http, parse_retry_after
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
    UnsafeBaseURL,
    scrub,
)
from adapters.gemini.errors import parse_duration

KEY_SHAPES = [
    "sk-proj-AbCdEf0123456789GhIjKl",
    "sk-ant-api03-AbCdEf0123456789-GhIjKl_mnop",
    "AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUv",
    "gsk_AbCdEf0123456789GhIjKlMnOp",
    "ya29.a0AfH6SMBx-very-secret-token",
    "3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a",
]


@pytest.mark.parametrize("key", KEY_SHAPES)
def test_scrub_masks_key_shaped_strings(key: str) -> None:
    assert key not in scrub(f"Incorrect API key provided: {key}. See docs.")


def test_scrub_masks_bearer_tokens_and_key_query_parameters() -> None:
    text = "Authorization: Bearer abc.def-123 at https://x.test/v1?key=AIzaSomething&alt=sse"

    scrubbed = scrub(text)

    assert "abc.def-123" not in scrubbed
    assert "AIzaSomething" not in scrubbed
    assert "alt=sse" in scrubbed


def test_scrub_keeps_ordinary_sentences() -> None:
    sentence = "Rate limit reached for gpt-4o in organization on tokens per min."
    assert scrub(sentence) == sentence


def test_scrub_masks_exact_secret_of_any_shape() -> None:
    assert "hunter2" not in scrub("bad key hunter2", secrets=["hunter2"])


@pytest.mark.parametrize("key", KEY_SHAPES)
def test_provider_error_scrubs_its_message_in_every_rendering(key: str) -> None:
    error = InvalidCredentials(f"bad key {key}", provider="openai", status=401, request_id="req_1")

    for rendered in (str(error), repr(error), error.message, str(error.args), str(error.to_dict())):
        assert key not in rendered
    assert error.code == "invalid_credentials"
    assert error.status == 401
    assert error.request_id == "req_1"


def test_pickled_error_stays_scrubbed_and_keeps_fields() -> None:
    error = RateLimited(
        f"slow down {KEY_SHAPES[0]}", provider="openai", status=429, retry_after=2.5
    )

    clone = pickle.loads(pickle.dumps(error))

    assert isinstance(clone, RateLimited)
    assert clone.retry_after == 2.5
    assert KEY_SHAPES[0] not in clone.message


def test_codes_are_stable() -> None:
    assert {
        cls.code
        for cls in (
            InvalidCredentials,
            PermissionDenied,
            RateLimited,
            QuotaExhausted,
            ContextTooLong,
            ProviderUnavailable,
            BadRequest,
            ModelNotFound,
            UnsafeBaseURL,
        )
    } == {
        "invalid_credentials",
        "provider_permission_denied",
        "rate_limited",
        "quota_exhausted",
        "context_too_long",
        "provider_unavailable",
        "bad_request",
        "model_not_found",
        "unsafe_base_url",
    }
    assert issubclass(UnsafeBaseURL, BadRequest)


@pytest.mark.parametrize(
    ("status", "code", "detail", "expected"),
    [
        (401, None, "", InvalidCredentials),
        (403, None, "", PermissionDenied),
        (429, "insufficient_quota", "You exceeded your current quota", QuotaExhausted),
        (429, "rate_limit_exceeded", "Rate limit reached", RateLimited),
        (402, "billing_error", "", QuotaExhausted),
        (400, "context_length_exceeded", "maximum context length is 8192", ContextTooLong),
        (400, "invalid_request_error", "prompt is too long: 300000 tokens", ContextTooLong),
        (400, "invalid_request_error", "Your credit balance is too low", QuotaExhausted),
        (404, "model_not_found", "", ModelNotFound),
        (500, None, "", ProviderUnavailable),
        (529, "overloaded_error", "Overloaded", ProviderUnavailable),
        (400, None, "messages: bad", BadRequest),
    ],
)
def test_http_failures_map_to_normalized_types(
    status: int, code: str | None, detail: str, expected: type[ProviderError]
) -> None:
    error = from_http(
        provider="p",
        display="P",
        status=status,
        code=code,
        detail=detail,
        request_id="r",
        retry_after=None,
    )
    assert type(error) is expected
    assert error.status == status


def test_rate_limit_sentence_names_the_wait() -> None:
    error = from_http(
        provider="anthropic",
        display="Anthropic",
        status=429,
        code="rate_limit_error",
        detail="",
        request_id=None,
        retry_after=20.0,
    )
    assert isinstance(error, RateLimited)
    assert error.retry_after == 20.0
    assert "Anthropic is rate-limiting this key; try again in 20 s." in error.message


def test_retry_after_headers() -> None:
    assert parse_retry_after({"retry-after": "7"}) == 7.0
    assert parse_retry_after({"retry-after-ms": "1500"}) == 1.5
    assert parse_retry_after({}) is None


def test_gemini_retry_delay_parsing() -> None:
    assert parse_duration("0.84s") == pytest.approx(0.84)
    assert parse_duration("20s") == 20.0
    assert parse_duration("soon") is None
