"""Helpers for the page tests: a cookie-holding browser-like client that fills in forms."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from tests.support import PASSWORD, Stack

_HIDDEN_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def form_token(html: str) -> str:
    match = _HIDDEN_TOKEN.search(html)
    assert match, "the page has no csrf_token field"
    return match.group(1)


def session_token(html: str) -> str:
    match = _META_TOKEN.search(html)
    assert match, "the page has no csrf-token meta tag"
    return match.group(1)


@dataclass
class Browser:
    """An httpx client used like a browser: cookies kept, redirects not followed."""

    http: httpx.AsyncClient
    email: str = ""

    async def signup(self, name: str = "Pat", next_path: str = "/") -> httpx.Response:
        self.email = f"{name.lower()}-{uuid.uuid4().hex[:10]}@example.test"
        page = await self.http.get("/signup", params={"next": next_path})
        data = {
            "csrf_token": form_token(page.text),
            "name": name,
            "email": self.email,
            "password": PASSWORD,
            "next": next_path,
        }
        return await self.http.post("/signup", data=data)

    async def csrf(self, path: str) -> str:
        """The session's CSRF token, as a page under ``path`` embeds it."""
        page = await self.http.get(path)
        assert page.status_code == 200, page.text
        return session_token(page.text)

    async def create_workspace(self, name: str = "Team") -> str:
        token = await self.csrf("/workspaces/new")
        resp = await self.http.post("/workspaces", data={"csrf_token": token, "name": name})
        assert resp.status_code == 303, resp.text
        return resp.headers["location"].removeprefix("/w/")


@pytest.fixture
async def browser(stack: Stack) -> AsyncIterator[Browser]:
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as http:
        yield Browser(http)


@pytest.fixture
async def owner(stack: Stack) -> AsyncIterator[Browser]:
    """A signed-up user driving the pages, owner of nothing yet."""
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as http:
        b = Browser(http)
        assert (await b.signup("Olive")).status_code == 303
        yield b
