"""Which address a request counts as, for sign-in limits and the audit log."""

from __future__ import annotations

from typing import Any

from litestar import Request

from workspace.accounts.principal import client_ip


def _request(headers: dict[str, str]) -> Request[Any, Any, Any]:
    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "scheme": "http",
        "server": ("testserver", 80),
        "client": ("192.0.2.10", 50000),
        "root_path": "",
        "app": None,
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
    }
    return Request(scope)  # type: ignore[arg-type]


def test_forwarded_for_is_ignored_unless_trusted() -> None:
    request = _request({"x-forwarded-for": "203.0.113.7"})
    assert client_ip(request, trust_forwarded_for=False) == "192.0.2.10"


def test_trusted_proxy_address_is_the_last_forwarded_entry() -> None:
    # The client wrote the first entry itself; the proxy appended the address it saw.
    request = _request({"x-forwarded-for": "10.1.2.3, 203.0.113.7"})
    assert client_ip(request, trust_forwarded_for=True) == "203.0.113.7"


def test_empty_forwarded_for_falls_back_to_the_peer() -> None:
    assert client_ip(_request({"x-forwarded-for": " "}), trust_forwarded_for=True) == "192.0.2.10"
