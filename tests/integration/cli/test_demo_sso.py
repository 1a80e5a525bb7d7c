"""``switchboard run --demo --sso`` (``make run SSO=1``): the demo with its bundled OpenID provider.

Ada signs in through the provider and lands in the demo workspace as an admin (her group maps to
it); the demo's password login still works as before.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.integration.cli.test_make_run import _start, _stop, _wait_ready, data_dir  # noqa: F401
from workspace.cli.demo import DEMO_EMAIL, DEMO_PASSWORD
from workspace.cli.embedded.ports import free_port


def test_demo_with_sso_signs_ada_in_as_an_admin_and_keeps_the_password_login(
    data_dir: Path,  # noqa: F811
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _start(data_dir, port, "--demo", "--sso", "--migrate")
    try:
        _wait_ready(proc, url)
        with httpx.Client(base_url=url) as web:
            assert "Sign in with Demo IdP" in web.get("/login").text
            start = web.get("/sso/demo/start")
            consent = httpx.post(start.headers["location"], data={"sub": "ada"})
            back = web.get(consent.headers["location"])
            assert back.status_code == 303, back.text
            ws = web.get("/").headers["location"]
            assert web.get(f"{ws}/admin/sign-in").status_code == 200
        with httpx.Client(base_url=url) as password:
            login = password.post(
                "/api/auth/login", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
            )
            assert login.status_code == 200
    finally:
        output = _stop(proc)
    assert "Sign in with Demo IdP" in output
