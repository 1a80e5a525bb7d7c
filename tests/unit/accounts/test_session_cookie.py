"""The session cookie: Secure exactly when the request came over TLS (or the operator says so),
HttpOnly, SameSite=Lax, for the whole site."""

from __future__ import annotations

from typing import Any

from litestar import Request

from workspace.accounts.cookies import is_secure, session_cookie
from workspace.accounts.models import User
from workspace.accounts.principal import SESSION_COOKIE
from workspace.accounts.service import NewSession
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


def test_the_session_cookie_is_http_only_lax_and_site_wide() -> None:
    user = User(email="pat@example.test", name="Pat", password_hash="x")
    new = NewSession(user=user, cookie_token="t0ken", csrf_token="c", max_age_s=3600)
    cookie = session_cookie(_request("https"), Settings(), new)
    assert (cookie.key, cookie.value, cookie.max_age) == (SESSION_COOKIE, "t0ken", 3600)
    assert cookie.httponly and cookie.secure and cookie.samesite == "lax" and cookie.path == "/"
