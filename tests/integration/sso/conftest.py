"""An app configured for single sign-on, next to two identity providers on loopback.

``oidc-provider-mock`` is the well-behaved IdP (discovery, consent form, token, userinfo, JWKS,
registered redirect URIs, a client secret kept in Vault); :mod:`rogue_idp` is the one that forges
tokens. The app is a second instance of ``create_app`` on the test stack's PostgreSQL and
OpenBao, with ``SWITCHBOARD_SSO_PROVIDERS`` naming both and private issuers allowed (the
operator's setting: these IdPs live on 127.0.0.1).
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from oidc_provider_mock import run_server_in_thread

from tests.integration.sso.rogue_idp import RogueState, rogue_idp
from tests.support import Stack
from workspace.cli.embedded.ports import free_port
from workspace.config.settings import Settings
from workspace.secrets.vault import SecretStore
from workspace.server.app import create_app
from workspace.sso.client_secret import set_client_secret

_HIDDEN_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class SsoStack:
    url: str
    settings: Settings
    mock_issuer: str
    rogue: RogueState


def _register(issuer: str, redirect_uri: str) -> dict[str, str]:
    resp = httpx.post(
        f"{issuer}/oauth2/clients",
        json={"redirect_uris": [redirect_uri], "token_endpoint_auth_method": "client_secret_basic"},
    )
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def _providers(app_url: str, mock_issuer: str, rogue: RogueState) -> tuple[str, str]:
    client = _register(mock_issuer, f"{app_url}/sso/mock/callback")
    elsewhere = _register(mock_issuer, "http://127.0.0.1:9/not-switchboard")
    providers = [
        {"id": "mock", "label": "Mock IdP", "issuer": mock_issuer,
         "client_id": client["client_id"], "groups_claim": "groups",
         "allowed_domains": ["acme.test", "example.test"]},
        {"id": "elsewhere", "label": "Misregistered IdP", "issuer": mock_issuer,
         "client_id": elsewhere["client_id"]},
        {"id": "rogue", "label": "Rogue IdP", "issuer": rogue.issuer,
         "client_id": rogue.client_id, "allowed_domains": ["rogue.test", "example.test"]},
    ]  # fmt: skip
    return json.dumps(providers), client["client_secret"]


@contextmanager
def _serve(settings: Settings) -> Iterator[None]:
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=settings.port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the SSO app did not start")
        time.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def sso_stack(stack: Stack) -> Iterator[SsoStack]:
    with run_server_in_thread(require_client_registration=True, require_nonce=True) as mock:
        mock_issuer = f"http://localhost:{mock.server_port}"
        with rogue_idp() as rogue:
            port = free_port()
            app_url = f"http://127.0.0.1:{port}"
            providers, secret = _providers(app_url, mock_issuer, rogue)
            settings = stack.settings.model_copy(
                update={"port": port, "sso_providers": providers, "sso_allow_private_issuers": True}
            )
            asyncio.run(set_client_secret(SecretStore(settings), "mock", secret))
            with _serve(settings):
                yield SsoStack(app_url, settings, mock_issuer, rogue)


def set_idp_user(sso: SsoStack, sub: str, claims: dict[str, object]) -> None:
    """What the mock IdP will say about ``sub`` (e-mail, groups...)."""
    resp = httpx.put(f"{sso.mock_issuer}/users/{sub}", json=claims)
    assert resp.status_code == 204, resp.text


def acme_user(sso: SsoStack, groups: list[str], *, verified: bool = True) -> tuple[str, str]:
    sub = f"u-{uuid.uuid4().hex[:10]}"
    email = f"{sub}@acme.test"
    set_idp_user(sso, sub, {"email": email, "email_verified": verified, "name": sub.upper(),
                            "groups": groups})  # fmt: skip
    return sub, email


@pytest.fixture
async def web(sso_stack: SsoStack) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client of the SSO app: cookies kept, redirects not followed."""
    async with httpx.AsyncClient(base_url=sso_stack.url, timeout=30) as http:
        yield http


async def mock_login(web: httpx.AsyncClient, sub: str, next_path: str = "/") -> httpx.Response:
    """Start at /sso/mock/start, consent at the mock IdP as ``sub``, come back to the callback."""
    start = await web.get("/sso/mock/start", params={"next": next_path})
    assert start.status_code == 303, start.text
    async with httpx.AsyncClient(timeout=30) as idp:
        consent = await idp.post(start.headers["location"], data={"sub": sub})
    assert consent.status_code == 302, consent.text
    return await web.get(consent.headers["location"])


def form_token(html: str) -> str:
    match = _HIDDEN_TOKEN.search(html)
    assert match, "no csrf_token field"
    return match.group(1)
