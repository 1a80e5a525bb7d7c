"""The failures a client should see, as types with a stable ``code``.

Services raise these; :mod:`workspace.server.errors` turns them into problem+json. A class
declares only its ``code``; its HTTP status and meaning come from the catalogue
(:mod:`workspace.errors.catalogue`), so a code cannot answer with two statuses. The classes here
are the kinds a domain error builds on; ``except Conflict`` also catches a ``LastOwner``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from workspace.errors.catalogue import status_of


class AppError(Exception):
    """A failure a client should see: ``code`` is the contract, ``detail`` a sentence for people,
    ``extra`` more fields of the problem document (``retry_after`` also sets the header)."""

    code: ClassVar[str] = "bad_request"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "status" in vars(cls):
            raise TypeError(f"{cls.__name__}: the status of a code comes from the catalogue")
        status_of(cls.code)  # a code missing from the catalogue fails at import, not in a test

    def __init__(self, detail: str, *, extra: dict[str, object] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}

    @property
    def status(self) -> int:
        return status_of(self.code)


class NotFound(AppError):
    code = "not_found"


class Forbidden(AppError):
    code = "forbidden"


class Unauthorized(AppError):
    code = "not_authenticated"


class Conflict(AppError):
    code = "conflict"


class TooManyRequests(AppError):
    code = "rate_limited"


class InvalidInput(AppError):
    code = "invalid_input"


class ServiceUnavailable(AppError):
    code = "service_unavailable"


class IdempotencyKeyReused(InvalidInput):
    """One key, two different requests: 422 as the IETF Idempotency-Key draft says (a key
    still running its first request is a 409 instead)."""

    code = "idempotency_key_reused"


# Refusals of the request bytes themselves (see workspace.server.body_guard), raised before any
# route parses them: each would otherwise surface deep inside a decoder or the database as a 500.
class InvalidEncoding(AppError):
    code = "invalid_encoding"


class TooDeeplyNested(AppError):
    code = "too_deeply_nested"


class InvalidCharacters(AppError):
    code = "invalid_characters"
