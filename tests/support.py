"""Helpers shared by the tests: the running stack and signed-in HTTP clients."""

from __future__ import annotations

import multiprocessing
import multiprocessing.process
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from workspace.cli.embedded.openbao import EmbeddedOpenBao
from workspace.cli.embedded.postgres import EmbeddedPostgres
from workspace.config.settings import Settings

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


def _serve(settings: Settings) -> None:
    import uvicorn

    from workspace.server.app import create_app

    uvicorn.run(create_app(settings), host="127.0.0.1", port=settings.port, log_level="warning")


@contextmanager
def app_process(settings: Settings) -> Iterator[multiprocessing.process.BaseProcess]:
    """The app in its own OS process (so a test can kill -9 it), serving ``settings.port``."""
    process = multiprocessing.get_context("spawn").Process(target=_serve, args=(settings,))
    process.start()
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{settings.port}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or not process.is_alive():
            raise RuntimeError("the app process did not start")
        time.sleep(0.1)
    try:
        yield process
    finally:
        if process.is_alive():
            process.terminate()
        process.join(10)


def settings_env(settings: Settings) -> dict[str, str]:
    """``settings`` as the environment ``switchboard run`` reads (aliases as the operator sets
    them), so a test can start the real command on the test stack's services."""
    env: dict[str, str] = {}
    for name, info in Settings.model_fields.items():
        value = getattr(settings, name)
        if value is None:
            continue
        alias = info.validation_alias
        choices = getattr(alias, "choices", None)
        key = str(choices[0]) if choices else f"SWITCHBOARD_{name.upper()}"
        env[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return env


@contextmanager
def switchboard_run(settings: Settings) -> Iterator[subprocess.Popen[bytes]]:
    """The ``switchboard run`` command itself, on the services ``settings`` names."""
    command = [
        str(Path(sys.executable).with_name("switchboard")),
        "run",
        "--port",
        str(settings.port),
    ]
    env = {**os.environ, **settings_env(settings)}
    process = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{settings.port}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise RuntimeError("switchboard run did not start")
        time.sleep(0.1)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(15)
