"""Helpers for the attachment tests: uploading a file, sending a message that carries files."""

from __future__ import annotations

from typing import Any

import httpx

from tests.integration.chat.conftest import sim  # noqa: F401 - the simulator fixture
from tests.support import UserClient


async def upload(
    user: UserClient, ws: str, name: str, data: bytes, content_type: str = "image/png"
) -> httpx.Response:
    """POST one file; ``content_type`` is what the client claims (the server ignores it)."""
    return await user.post(
        f"/api/workspaces/{ws}/attachments", files={"file": (name, data, content_type)}
    )


async def uploaded(user: UserClient, ws: str, name: str, data: bytes) -> dict[str, Any]:
    resp = await upload(user, ws, name, data)
    assert resp.status_code == 201, resp.text
    return dict(resp.json())
