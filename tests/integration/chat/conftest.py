"""Helpers for the chat tests: a workspace with a key per provider, SSE parsing, the simulator."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support import Stack, UserClient

# The simulator accepts any key that does not ask for a fault.
KEYS = {
    "openai": "sk-chat-test-openai-0001",
    "anthropic": "sk-ant-chat-test-0002",
    "gemini": "AIza-chat-test-0003",
    "groq": "gsk_chat_test_0004",
}


@dataclass
class Event:
    event: str
    data: dict[str, Any]


def parse_frames(buffer: str) -> tuple[list[Event], str]:
    """Complete SSE frames in ``buffer`` (comments skipped) and the unfinished rest."""
    buffer = buffer.replace("\r\n", "\n")
    events: list[Event] = []
    while "\n\n" in buffer:
        frame, buffer = buffer.split("\n\n", 1)
        name, data = "message", []
        for line in frame.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
        if data:
            events.append(Event(name, json.loads("\n".join(data))))
    return events, buffer


async def read_events(response: httpx.Response) -> list[Event]:
    assert response.status_code == 200, (await response.aread()).decode()
    assert response.headers["content-type"].startswith("text/event-stream")
    events: list[Event] = []
    buffer = ""
    async for chunk in response.aiter_text():
        parsed, buffer = parse_frames(buffer + chunk)
        events.extend(parsed)
    return events


async def stream(
    user: UserClient, path: str, body: dict[str, Any], headers: dict[str, str] | None = None
) -> list[Event]:
    async with user.http.stream("POST", path, json=body, headers=headers or {}) as response:
        return await read_events(response)


def text_of(events: list[Event], lane: int | None = None) -> str:
    return "".join(
        e.data["text"] for e in events if e.event == "delta" and e.data.get("lane") == lane
    )


def one(events: list[Event], name: str, lane: int | None = None) -> dict[str, Any]:
    found = [e.data for e in events if e.event == name and e.data.get("lane") == lane]
    assert len(found) == 1, (name, lane, events)
    return found[0]


async def chat_workspace(user: UserClient) -> str:
    """A workspace with a workspace key for each simulated provider."""
    ws = await user.create_workspace("Chat")
    for provider, secret in KEYS.items():
        resp = await user.post(
            f"/api/workspaces/{ws}/credentials", json={"provider": provider, "secret": secret}
        )
        assert resp.status_code == 201, resp.text
    return ws


async def failing_own_key_workspace(user: UserClient) -> str:
    """A workspace whose own Groq key is rate limited, with fallback to the platform key on (the
    test also needs the ``platform_groq`` fixture)."""
    ws = await user.create_workspace()
    added = await user.post(
        f"/api/workspaces/{ws}/credentials",
        json={"provider": "groq", "label": "limited", "secret": "gsk_ratelimit_0007"},
    )
    assert added.status_code == 201, added.text
    await user.put(f"/api/workspaces/{ws}/policy", json={"byok_failure": "fallback"})
    return ws


async def new_conversation(user: UserClient, ws: str, **fields: Any) -> str:
    resp = await user.post(f"/api/workspaces/{ws}/conversations", json=fields)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


@pytest.fixture
async def sim(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """The simulator's control API; scenarios are reset after each test (one shared simulator)."""
    assert stack.simulator_url is not None
    async with httpx.AsyncClient(base_url=stack.simulator_url, timeout=30) as client:
        await client.delete("/_simulator/scenario")
        yield client
        await client.delete("/_simulator/scenario")


async def sim_requests(sim: httpx.AsyncClient, since: int = 0) -> list[dict[str, Any]]:
    """Chat requests the simulator logged after sequence number ``since``."""
    body = (await sim.get("/_simulator/requests")).json()
    return [r for r in body["requests"] if r["seq"] > since and r["stream"]]


async def last_seq(sim: httpx.AsyncClient) -> int:
    entries = (await sim.get("/_simulator/requests", params={"limit": 1})).json()["requests"]
    return int(entries[-1]["seq"]) if entries else 0
