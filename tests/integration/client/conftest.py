"""A member with a workspace and an ``sb_`` API token, for the client and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.support import Stack, UserClient


@dataclass(frozen=True)
class TokenUser:
    url: str
    token: str
    workspace: str
    user: UserClient


@pytest.fixture
async def token_user(alice: UserClient, stack: Stack) -> TokenUser:
    ws = await alice.create_workspace("Client")
    created = await alice.post("/api/tokens", json={"name": "client test"})
    assert created.status_code == 201, created.text
    return TokenUser(stack.url, created.json()["token"], ws, alice)
