"""The session cookie is Secure exactly when the request came over TLS (or the operator says so)."""

from __future__ import annotations

from typing import Any

from litestar import Request

from workspace.accounts.cookies import is_secure
from workspace.config.settings import Settings


def _request(scheme: str, headers: dict[str, str] | None = None) -> Request[Any, Any, Any]:
    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "scheme": scheme,
        "server": ("testserver", 443),
        "root_path": "",
        "app": None,
        "headers": [(k.encode(), v.encode()) for k, v in (headers or {}).items()],
    }
    return Request(scope)  # type: ignore[arg-type]


def test_https_request_gets_a_secure_cookie() -> None:
    assert is_secure(_request("https"), Settings())
    assert not is_secure(_request("http"), Settings())


def test_forwarded_proto_counts_only_when_trusted() -> None:
    behind_proxy = _request("http", {"x-forwarded-proto": "https"})
    assert not is_secure(behind_proxy, Settings())
    assert is_secure(behind_proxy, Settings(trust_forwarded_for=True))


def test_operator_can_force_the_flag() -> None:
    assert is_secure(_request("http"), Settings(session_cookie_secure="always"))
    assert not is_secure(_request("https"), Settings(session_cookie_secure="never"))
