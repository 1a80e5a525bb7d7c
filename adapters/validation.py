"""A key check's outcome, as the sentence the credentials page shows."""

from __future__ import annotations

from adapters.errors import (
    InvalidCredentials,
    PermissionDenied,
    ProviderError,
    ProviderUnavailable,
    QuotaExhausted,
    RateLimited,
)
from adapters.types import ValidationResult


def validation_result(error: ProviderError | None, display: str) -> ValidationResult:
    """Map the cheapest call's outcome to a status and a sentence without the key."""
    if error is None:
        return ValidationResult("valid", f"{display} accepted this key.")
    if isinstance(error, InvalidCredentials | PermissionDenied):
        return ValidationResult("invalid", error.message)
    if isinstance(error, RateLimited):
        return ValidationResult("rate_limited", error.message)
    if isinstance(error, QuotaExhausted):
        return ValidationResult("quota", error.message)
    if isinstance(error, ProviderUnavailable):
        return ValidationResult("unreachable", error.message)
    return ValidationResult("error", error.message)
