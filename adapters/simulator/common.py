"""Small pieces every wire module shares: the rejection type, JSON codec, ids and key faults.

Each wire renders a :class:`Failure` in its own provider's error shape, so validation code can
be written once in terms of *what* went wrong and each provider decides *how* it is said.
"""

from __future__ import annotations

import secrets
from typing import Any, Final, Literal

import msgspec
from litestar import Request, Response

FailureKind = Literal[
    "invalid_request",
    "not_found",
    "context_length",
    "auth",
    "permission",
    "rate_limit",
    "quota",
    "overloaded",
]

RETRY_AFTER_SECONDS: Final = 1
"""Retry-After sent with simulated rate limits: short, so retrying clients stay fast in tests."""

_ENCODER: Final = msgspec.json.Encoder()
_DECODER: Final = msgspec.json.Decoder()


class Failure(Exception):
    """A request the real API would refuse; the wire module turns it into its own error shape."""

    def __init__(self, kind: FailureKind, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.kind: FailureKind = kind
        self.message = message
        self.param = param


def dumps(value: Any) -> bytes:
    """Encode JSON quickly (msgspec) because every streamed chunk goes through here."""
    return _ENCODER.encode(value)


def dumps_str(value: Any) -> str:
    """JSON as text, for arguments strings embedded inside other JSON."""
    return _ENCODER.encode(value).decode()


def loads_object(raw: bytes) -> dict[str, Any]:
    """Decode a request body that must be a JSON object, as every provider API requires."""
    if not raw:
        raise Failure("invalid_request", "Request body is empty; a JSON object is required.")
    try:
        value = _DECODER.decode(raw)
    except msgspec.DecodeError as exc:
        raise Failure("invalid_request", f"Request body is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise Failure("invalid_request", "Request body must be a JSON object.")
    return value


def new_id(prefix: str, size: int = 12) -> str:
    """An opaque id in the style the provider uses (``chatcmpl-``, ``msg_``, ``req_``...)."""
    return prefix + secrets.token_hex(size)


def key_fault(credential: str) -> FailureKind | None:
    """Fault-injecting credentials: a word inside the key or token picks the refusal to simulate.

    ``invalid`` -> the provider's bad-key answer, ``ratelimit`` -> 429 with Retry-After,
    ``quota`` -> the provider's quota answer. Any other credential is accepted.
    """
    lowered = credential.lower()
    if "invalid" in lowered:
        return "auth"
    if "ratelimit" in lowered:
        return "rate_limit"
    if "quota" in lowered:
        return "quota"
    return None


def credential_failure(credential: str, *, refusals_only: bool = False) -> Failure | None:
    """The failure a fault-injecting credential triggers (message left to the wire's wording).

    With ``refusals_only`` only a bad key counts: listing models is not metered, so rate and
    quota faults do not apply there, as with the real APIs.
    """
    kind = key_fault(credential)
    if kind is None or (refusals_only and kind != "auth"):
        return None
    return Failure(kind, "")


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer`` header, or None when absent or another scheme."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response[bytes]:
    """A JSON response whose bytes we encoded ourselves (fast, and exactly the shape we chose)."""
    return Response(
        content=dumps(body), status_code=status, media_type="application/json", headers=headers
    )


def request_headers(request: Request[Any, Any, Any]) -> dict[str, str]:
    """Request headers as a plain dict with lower-case names."""
    return {k.lower(): v for k, v in request.headers.items()}
