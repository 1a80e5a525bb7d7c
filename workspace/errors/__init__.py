"""Errors a client can see: the types services raise and the catalogue of their codes.

``from workspace.errors import NotFound`` is all a domain needs. Every ``code`` has one HTTP
status and a meaning in :mod:`workspace.errors.catalogue` (rendered as docs/errors.md by
``make errors-doc``); the problem+json handlers live with the server
(:mod:`workspace.server.errors`).
"""

from workspace.errors.base import (
    AppError,
    Conflict,
    Forbidden,
    IdempotencyKeyReused,
    InvalidCharacters,
    InvalidEncoding,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
    TooDeeplyNested,
    TooManyRequests,
    Unauthorized,
)
from workspace.errors.catalogue import CATALOGUE, ErrorCode, status_of
from workspace.errors.database import (
    DATABASE_RETRY_AFTER_S,
    ConcurrentChange,
    DatabaseUnavailable,
    is_concurrent_change,
    is_database_unavailable,
)

__all__ = [
    "CATALOGUE",
    "DATABASE_RETRY_AFTER_S",
    "AppError",
    "ConcurrentChange",
    "Conflict",
    "DatabaseUnavailable",
    "ErrorCode",
    "Forbidden",
    "IdempotencyKeyReused",
    "InvalidCharacters",
    "InvalidEncoding",
    "InvalidInput",
    "NotFound",
    "ServiceUnavailable",
    "TooDeeplyNested",
    "TooManyRequests",
    "Unauthorized",
    "is_concurrent_change",
    "is_database_unavailable",
    "status_of",
]
