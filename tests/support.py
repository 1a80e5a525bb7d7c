"""Helpers shared by the tests: the running stack and signed-in HTTP clients."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from workspace.infra.openbao import EmbeddedOpenBao
from workspace.infra.postgres import EmbeddedPostgres
from workspace.settings import Settings

PASSWORD = "correct horse battery staple"


@dataclass
class Stack:
    settings: Settings
    url: str
    postgres: EmbeddedPostgres | None
    openbao: EmbeddedOpenBao | None
    simulator_url: str | None


@dataclass
class UserClient:
    """A signed-in user: an httpx client holding the session cookie and sending the CSRF token."""

    id: str
    email: str
    http: httpx.AsyncClient

    async def create_workspace(self, name: str = "Team") -> str:
        resp = await self.http.post("/api/workspaces", json={"name": name})
        assert resp.status_code == 201, resp.text
        return str(resp.json()["id"])

    async def join(self, owner: UserClient, ws: str, role: str) -> None:
        """``owner`` invites this user with ``role``; this user accepts."""
        resp = await owner.http.post(f"/api/workspaces/{ws}/invites", json={"role": role})
        assert resp.status_code == 201, resp.text
        token = resp.json()["token"]
        accepted = await self.http.post(f"/api/invites/{token}/accept")
        assert accepted.status_code == 201, accepted.text

    def __getattr__(self, name: str) -> Any:
        return getattr(self.http, name)


@asynccontextmanager
async def new_user(stack: Stack, label: str = "user") -> AsyncIterator[UserClient]:
    email = f"{label}-{uuid.uuid4().hex[:10]}@example.test"
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as http:
        resp = await http.post(
            "/api/auth/signup", json={"email": email, "password": PASSWORD, "name": label}
        )
        assert resp.status_code == 201, resp.text
        body = resp.json()
        http.headers["X-CSRF-Token"] = body["csrf_token"]
        yield UserClient(body["id"], email, http)
