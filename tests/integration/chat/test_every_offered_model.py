"""Every model the picker offers answers in the demo.

The workspace is set up the way ``make run`` seeds it (the demo's four API keys) plus a personal
credential-file login for each of Gemini CLI, Claude Code and Qwen Code, on an app started with
the demo's own settings (``simulator_settings``): in particular the SSRF guard is on, as it is
for an operator who never set ``SWITCHBOARD_ALLOW_PRIVATE_BASE_URLS``. Then one message goes to
every model ``GET /api/workspaces/{ws}/models`` lists, and each must end complete with text.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import uvicorn

from tests.integration.chat.conftest import new_conversation, one, stream, text_of
from tests.support import Stack, UserClient, new_user
from workspace.cli.demo import DEMO_KEYS, simulator_settings
from workspace.cli.embedded.ports import free_port
from workspace.server.app import create_app

CREDENTIAL_FILE_PROVIDERS = ("gemini_cli", "claude_code", "qwen_code")


def _expires_ms() -> int:
    return int((time.time() + 3600) * 1000)


def credential_files(simulator_url: str) -> dict[str, dict[str, object]]:
    """Each CLI's credential file as the CLI writes it, with tokens the simulator accepts."""
    return {
        "gemini_cli": {
            "access_token": "sim-ok-gemini-every-model",
            "refresh_token": "1//google-rt-every-model",
            "scope": "https://www.googleapis.com/auth/cloud-platform openid",
            "token_type": "Bearer",
            "expiry_date": _expires_ms(),
        },
        "claude_code": {
            "claudeAiOauth": {
                "accessToken": "sim-ok-claude-every-model",
                "refreshToken": "claude-rt-every-model",
                "expiresAt": _expires_ms(),
                "scopes": ["user:inference", "user:profile"],
                "subscriptionType": "max",
            }
        },
        "qwen_code": {
            "access_token": "sim-ok-qwen-every-model",
            "refresh_token": "qwen-rt-every-model",
            "token_type": "Bearer",
            "resource_url": f"{simulator_url}/qwen",
            "expiry_date": _expires_ms(),
        },
    }


@pytest.fixture(scope="module")
def demo_stack(stack: Stack) -> Iterator[Stack]:
    """A second app on the shared database, Vault and simulator, configured like the demo.

    The shared test app lets user base URLs reach loopback (``allow_private_base_urls``); the
    demo does not, so this app runs with the demo's settings applied to a guarded base.
    """
    assert stack.simulator_url is not None
    guarded = stack.settings.model_copy(
        update={"allow_private_base_urls": False, "port": free_port()}
    )
    settings = simulator_settings(guarded, stack.simulator_url)
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
            raise RuntimeError("the demo-configured app did not start")
        time.sleep(0.02)
    try:
        yield Stack(
            settings=settings,
            url=f"http://127.0.0.1:{settings.port}",
            postgres=stack.postgres,
            openbao=stack.openbao,
            simulator_url=stack.simulator_url,
        )
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
async def demo_user(demo_stack: Stack) -> AsyncIterator[UserClient]:
    async with new_user(demo_stack, "demo") as user:
        yield user


async def demo_workspace(user: UserClient, simulator_url: str) -> str:
    """The demo's workspace keys, plus this member's own credential-file logins."""
    ws = await user.create_workspace("Demo team")
    for provider, secret in DEMO_KEYS.items():
        added = await user.post(
            f"/api/workspaces/{ws}/credentials", json={"provider": provider, "secret": secret}
        )
        assert added.status_code == 201, added.text
    for provider, data in credential_files(simulator_url).items():
        added = await user.post(
            "/api/me/credentials",
            json={"provider": provider, "credentials_json": json.dumps(data)},
        )
        assert added.status_code == 201, added.text
        body = added.json()
        assert body["status"] == "valid", (provider, body["status"], body["status_message"])
    return ws


async def test_every_model_the_picker_offers_answers(
    demo_user: UserClient, demo_stack: Stack, sim: httpx.AsyncClient
) -> None:
    # `sim` clears scenarios other tests left on the shared simulator.
    assert demo_stack.simulator_url is not None
    ws = await demo_workspace(demo_user, demo_stack.simulator_url)
    listed = await demo_user.get(f"/api/workspaces/{ws}/models")
    assert listed.status_code == 200, listed.text
    models = listed.json()
    providers = {m["provider"] for m in models}
    assert providers >= {*DEMO_KEYS, *CREDENTIAL_FILE_PROVIDERS}, providers
    unusable = [m["id"] for m in models if not (m["allowed"] and m["key_source"])]
    assert unusable == [], "every offered model should be usable in a demo-like workspace"

    failures: dict[str, object] = {}
    for model in models:
        conversation = await new_conversation(demo_user, ws)
        events = await stream(
            demo_user,
            f"/api/conversations/{conversation}/messages",
            {"content": "Say hello in one sentence.", "model": model["id"]},
        )
        end = one(events, "message.end")
        text = text_of(events)
        if end["status"] != "complete" or not text.strip():
            errors = [e.data for e in events if e.event == "error"]
            failures[model["id"]] = errors or end
    assert failures == {}, json.dumps(failures, indent=1, default=str)
