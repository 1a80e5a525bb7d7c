"""A base URL the SSRF guard refuses is refused at add time (400 ``unsafe_base_url``), stored
nowhere, and the refusal states the rule, never what the name resolved to.

The shared stack runs with ``allow_private_base_urls`` on (the simulator listens on loopback),
so these tests turn the guard back on: once by calling the service with a settings copy and the
registry built from it, against the real PostgreSQL and OpenBao; once through the key page of a
second app created from that copy (in process, same database and Vault).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator

import hvac
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from adapters.openai_chat.compatible import OpenAICompatibleProvider
from tests.support import PASSWORD, Stack, UserClient
from workspace.audit.service import Actor
from workspace.config.settings import Settings
from workspace.keys import service
from workspace.runtime import Runtime
from workspace.runtime.providers import make_registry
from workspace.secrets.vault import SecretStore
from workspace.server.app import create_app

# What a leaky sentence would name: the addresses, and the guard's words for their classes.
INTERNAL = {
    "llm.corp.example": ["10.20.30.40"],
    "meta.corp.example": ["169.254.169.254"],
    "public.example": ["93.184.216.34"],
}
LEAKS = ("10.20.30.40", "169.254.169.254", "a private network address", "cloud metadata")


async def fake_dns(host: str, port: int) -> list[str]:
    """An internal DNS: two names lead inside, one outside; anything else does not resolve."""
    if host not in INTERNAL:
        raise OSError("no such host")
    return INTERNAL[host]


def guarded(settings: Settings) -> Settings:
    return settings.model_copy(update={"allow_private_base_urls": False})


def with_fake_dns(runtime: Runtime) -> Runtime:
    provider = runtime.registry.get("openai_compatible")
    assert isinstance(provider, OpenAICompatibleProvider)
    provider.resolver = fake_dns
    return runtime


@pytest.fixture
async def guarded_runtime(runtime: Runtime) -> Runtime:
    """The test runtime (real PostgreSQL and OpenBao) with the SSRF guard on."""
    settings = guarded(runtime.settings)
    return with_fake_dns(
        Runtime(
            settings=settings,
            engine=runtime.engine,
            sessionmaker=runtime.sessionmaker,
            secrets=SecretStore(settings),
            registry=make_registry(settings),
        )
    )


def _vault_keys(stack: Stack, folder: str) -> list[str]:
    assert stack.openbao is not None
    try:
        listed = stack.openbao.root_client().secrets.kv.v2.list_secrets(
            folder, mount_point=stack.settings.vault_kv_mount
        )
    except hvac.exceptions.InvalidPath:
        return []
    keys: list[str] = listed["data"]["keys"]
    return keys


async def _add(runtime: Runtime, owner: service.Owner, user_id: str, base_url: str) -> None:
    async with runtime.sessionmaker() as session:
        await service.add_credential(
            session,
            runtime.secrets,
            runtime.registry,
            Actor(uuid.UUID(user_id), "127.0.0.1"),
            owner,
            provider_id="openai_compatible",
            label="",
            secret="sk-compat-unsafe-0000",
            base_url=base_url,
        )


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:8765/v1",  # loopback literal
        "http://169.254.169.254/latest",  # metadata literal
        "http://[::ffff:10.0.0.1]/v1",  # private, wrapped in IPv6
        "https://llm.corp.example/v1",  # a name leading to a private address
        "https://meta.corp.example/v1",  # a name leading to the metadata address
        "https://nowhere.corp.example/v1",  # a name that does not resolve
        "http://localhost:11434/v1",  # an internal host name
    ],
)
async def test_an_unsafe_base_url_is_refused_with_the_rule_and_stored_nowhere(
    alice: UserClient, stack: Stack, guarded_runtime: Runtime, base_url: str
) -> None:
    ws = await alice.create_workspace("Guarded")
    with pytest.raises(service.UnsafeBaseUrl) as caught:
        await _add(guarded_runtime, service.Owner(workspace_id=uuid.UUID(ws)), alice.id, base_url)
    refusal = caught.value
    assert (refusal.status, refusal.code) == (400, "unsafe_base_url")
    assert refusal.detail == service.UNSAFE_BASE_URL_RULE
    assert "SWITCHBOARD_ALLOW_PRIVATE_BASE_URLS" in refusal.detail
    assert refusal.extra == {"field": "base_url"}
    assert not any(leak in refusal.detail for leak in LEAKS)
    # Nothing in PostgreSQL (no row, no audit record) and nothing in Vault.
    assert (await alice.get(f"/api/workspaces/{ws}/credentials")).json() == []
    actions = [e["action"] for e in (await alice.get(f"/api/workspaces/{ws}/audit")).json()]
    assert "credential.created" not in actions
    assert _vault_keys(stack, f"workspaces/{ws}/credentials") == []


async def test_a_public_base_url_passes_the_guard(
    alice: UserClient, guarded_runtime: Runtime
) -> None:
    provider = guarded_runtime.registry.get("openai_compatible")
    await service.refuse_unsafe_base_url(provider, "https://public.example/v1")


async def test_a_malformed_base_url_is_refused_even_with_private_addresses_allowed(
    alice: UserClient,
) -> None:
    """The shape rules (scheme, no user names) hold whatever the operator allows."""
    ws = await alice.create_workspace("Shape")
    for base_url in ("ftp://files.example/v1", "http://user:pw@127.0.0.1:8765/v1"):
        resp = await alice.post(
            f"/api/workspaces/{ws}/credentials",
            json={"provider": "openai_compatible", "secret": "sk-x-1", "base_url": base_url},
        )
        assert resp.status_code == 400, resp.text
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert resp.json()["code"] == "unsafe_base_url"
        assert resp.json()["field"] == "base_url"
    assert (await alice.get(f"/api/workspaces/{ws}/credentials")).json() == []


# --- the key page, on an app with the guard on ---------------------------------------------------
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
_ROW = re.compile(r'<tr data-key="([0-9a-f-]{36})"')


@pytest.fixture
async def guarded_app(stack: Stack) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A second app on the same PostgreSQL and Vault, with the guard on, served in process."""
    app = create_app(guarded(stack.settings))
    async with AsyncTestClient(app=app) as client:
        with_fake_dns(app.state.runtime)
        yield client


async def test_the_key_page_refuses_an_unsafe_base_url_with_a_form_error(
    guarded_app: AsyncTestClient[Litestar], stack: Stack
) -> None:
    client = guarded_app
    email = f"guard-{uuid.uuid4().hex[:10]}@example.test"
    signup = await client.post(
        "/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "Gus"}
    )
    assert signup.status_code == 201, signup.text
    user_id = signup.json()["id"]
    page = await client.get("/keys")
    match = _CSRF.search(page.text)
    assert match, "the keys page has no csrf-token meta tag"
    form = {
        "csrf_token": match.group(1),
        "provider": "openai_compatible",
        "label": "corp",
        "secret": "sk-compat-page-0000",
        "base_url": "https://llm.corp.example/v1",
    }
    resp = await client.post("/keys", data=form, headers={"accept": "text/html"})
    assert resp.status_code == 400
    assert resp.headers["content-type"].startswith("text/html")
    text = resp.text.replace("&#39;", "'")
    assert "Base URLs must be public http(s) addresses" in text
    assert 'id="add-base-url-error"' in text  # the sentence sits next to the field
    assert not any(leak in text for leak in LEAKS)
    assert "sk-compat-page-0000" not in resp.text
    assert _ROW.findall(resp.text) == []
    assert _ROW.findall((await client.get("/keys")).text) == []
    assert _vault_keys(stack, f"users/{user_id}/credentials") == []
