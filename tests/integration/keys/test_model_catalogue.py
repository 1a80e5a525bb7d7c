"""The catalogue is each provider's own list, fetched with the key that would pay.

``gpt-sim-unlisted`` is a model the simulator's OpenAI lists but no adapter declares: only the
listing knows it, so it has no price. Own keys may use it (usage flagged, tokens recorded, no
credits); the platform key never serves it.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import sqlalchemy as sa

from adapters import ModelInfo
from tests.integration.chat.conftest import new_conversation, one, sim, stream, text_of
from tests.support import UserClient
from workspace.runtime import Runtime
from workspace.secrets.eviction import listening

__all__ = ["sim"]  # the simulator control fixture, shared with the chat tests

UNLISTED = "openai/gpt-sim-unlisted"
OPENAI_KEY = "sk-catalogue-test-openai-0001"


async def _listings(sim: httpx.AsyncClient, since: int) -> int:
    """OpenAI model listings the simulator answered after sequence number ``since``."""
    entries = (await sim.get("/_simulator/requests")).json()["requests"]
    return sum(
        1
        for r in entries
        if r["seq"] > since and r["provider"] == "openai" and r["path"] == "/v1/models"
    )


async def _last_seq(sim: httpx.AsyncClient) -> int:
    entries = (await sim.get("/_simulator/requests", params={"limit": 1})).json()["requests"]
    return int(entries[-1]["seq"]) if entries else 0


async def _openai_workspace(user: UserClient) -> tuple[str, str]:
    ws = await user.create_workspace("Catalogue")
    added = await user.post(
        f"/api/workspaces/{ws}/credentials", json={"provider": "openai", "secret": OPENAI_KEY}
    )
    assert added.status_code == 201, added.text
    return ws, str(added.json()["id"])


def _model(catalogue: list[dict[str, Any]], ref: str) -> dict[str, Any]:
    return next(m for m in catalogue if m["id"] == ref)


async def test_the_catalogue_lists_what_the_paying_key_reaches(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    ws, _ = await _openai_workspace(alice)
    catalogue = (await alice.get(f"/api/workspaces/{ws}/models")).json()
    unlisted = _model(catalogue, UNLISTED)
    assert (unlisted["price_known"], unlisted["listed"]) == (False, True)
    assert unlisted["input_price_per_mtok"] is None
    assert unlisted["key_source"] == "workspace"
    known = _model(catalogue, "openai/gpt-4o")
    assert (known["price_known"], known["vision"], known["input_price_per_mtok"]) == (
        True,
        True,
        2.5,
    )
    # Providers without a key keep their static catalogue.
    groq = _model(catalogue, "groq/llama-3.1-8b-instant")
    assert (groq["listed"], groq["key_source"]) == (False, None)


async def test_a_model_only_the_provider_list_knows_is_served(
    alice: UserClient, runtime: Runtime, sim: httpx.AsyncClient
) -> None:
    ws, _ = await _openai_workspace(alice)
    conversation = await new_conversation(alice, ws)
    body = {"content": "hello unlisted", "model": UNLISTED}
    events = await stream(alice, f"/api/conversations/{conversation}/messages", body)
    assert "[openai/gpt-sim-unlisted]" in text_of(events)
    assert one(events, "message.end")["credits"] == 0
    async with runtime.engine.connect() as conn:
        row = (
            await conn.execute(
                sa.text(
                    "SELECT input_tokens, output_tokens, credits, cost_usd_micros, price_unknown"
                    " FROM usage_events WHERE workspace_id = :w"
                ),
                {"w": ws},
            )
        ).one()
    assert row.input_tokens > 0 and row.output_tokens > 0
    assert (row.credits, row.cost_usd_micros, row.price_unknown) == (0, 0, True)
    report = (await alice.get(f"/api/workspaces/{ws}/usage", params={"group_by": "model"})).json()
    [by_model] = report["rows"]
    assert (by_model["group"], by_model["unpriced_calls"]) == (UNLISTED, 1)
    assert report["total"]["unpriced_calls"] == 1


async def test_the_platform_key_refuses_a_model_without_a_price(
    alice: UserClient, sim: httpx.AsyncClient, platform_openai: None
) -> None:
    ws = await alice.create_workspace("Platform only")
    catalogue = (await alice.get(f"/api/workspaces/{ws}/models")).json()
    assert _model(catalogue, "openai/gpt-4o")["key_source"] == "platform"
    assert not [m for m in catalogue if m["id"] == UNLISTED]
    conversation = await new_conversation(alice, ws)
    refused = await alice.post(
        f"/api/conversations/{conversation}/messages",
        json={"content": "hello", "model": UNLISTED},
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "price_unknown"


async def test_listings_are_cached_per_key_and_evicted_when_it_rotates(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    ws, credential = await _openai_workspace(alice)
    since = await _last_seq(sim)
    await alice.get(f"/api/workspaces/{ws}/models")
    assert await _listings(sim, since) == 1
    since = await _last_seq(sim)
    await alice.get(f"/api/workspaces/{ws}/models")
    await alice.get(f"/w/{ws}")
    assert await _listings(sim, since) == 0
    rotated = await alice.put(
        f"/api/workspaces/{ws}/credentials/{credential}/secret",
        json={"secret": "sk-catalogue-test-openai-0002"},
    )
    assert rotated.status_code == 200, rotated.text
    since = await _last_seq(sim)
    await alice.get(f"/api/workspaces/{ws}/models")
    assert await _listings(sim, since) == 1


async def test_refresh_asks_the_provider_again(alice: UserClient, sim: httpx.AsyncClient) -> None:
    ws, _ = await _openai_workspace(alice)
    await alice.get(f"/api/workspaces/{ws}/models")
    since = await _last_seq(sim)
    refreshed = await alice.post(f"/api/workspaces/{ws}/models/refresh")
    assert refreshed.status_code == 200, refreshed.text
    assert _model(refreshed.json(), UNLISTED)["listed"] is True
    assert await _listings(sim, since) == 1


async def test_a_failing_listing_falls_back_to_the_static_catalogue(
    alice: UserClient, sim: httpx.AsyncClient
) -> None:
    ws, _ = await _openai_workspace(alice)
    await sim.post("/_simulator/scenario", json={"model": "*", "error": "overloaded"})
    resp = await alice.get(f"/api/workspaces/{ws}/models")
    assert resp.status_code == 200, resp.text
    gpt4o = _model(resp.json(), "openai/gpt-4o")
    assert (gpt4o["listed"], gpt4o["key_source"]) == (False, "workspace")
    assert not [m for m in resp.json() if m["id"] == UNLISTED]


async def test_a_rotation_through_one_replica_drops_the_listing_in_another(
    alice: UserClient, runtime: Runtime
) -> None:
    """``runtime`` stands for a second replica: its own secret cache and model lists, and its
    own LISTEN connection; the key is rotated through the app."""
    ws, credential = await _openai_workspace(alice)
    path = f"workspaces/{ws}/credentials/{credential}"
    assert runtime.settings.database_url is not None
    async with listening(runtime.settings.database_url, runtime.secrets) as listener:
        deadline = time.monotonic() + 10
        while not listener.connected and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

        async def fetch() -> list[ModelInfo]:
            return []

        await runtime.model_lists.get(path, fetch, runtime.model_list_timing())
        assert runtime.model_lists.cached(path)
        rotated = await alice.put(
            f"/api/workspaces/{ws}/credentials/{credential}/secret",
            json={"secret": "sk-catalogue-test-openai-0003"},
        )
        assert rotated.status_code == 200, rotated.text
        deadline = time.monotonic() + 5
        while runtime.model_lists.cached(path) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert not runtime.model_lists.cached(path)


async def test_a_members_personal_key_lists_and_serves_for_them(alice: UserClient) -> None:
    ws = await alice.create_workspace("Personal")
    added = await alice.post(
        "/api/me/credentials", json={"provider": "openai", "secret": "sk-catalogue-mine-0004"}
    )
    assert added.status_code == 201, added.text
    catalogue = (await alice.get(f"/api/workspaces/{ws}/models")).json()
    unlisted = _model(catalogue, UNLISTED)
    assert (unlisted["key_source"], unlisted["listed"], unlisted["price_known"]) == (
        "personal",
        True,
        False,
    )
    conversation = await new_conversation(alice, ws)
    events = await stream(
        alice, f"/api/conversations/{conversation}/messages", {"content": "hi", "model": UNLISTED}
    )
    assert one(events, "message.start")["key_source"] == "personal"
    assert one(events, "message.end")["credits"] == 0


async def test_a_key_sent_with_the_request_reaches_a_listed_only_model(alice: UserClient) -> None:
    ws = await alice.create_workspace("Request key")
    conversation = await new_conversation(alice, ws)
    events = await stream(
        alice,
        f"/api/conversations/{conversation}/messages",
        {"content": "hi", "model": UNLISTED},
        headers={"X-Provider": "openai", "X-Provider-Key": "sk-catalogue-request-0005"},
    )
    assert one(events, "message.start")["key_source"] == "request"
    assert "[openai/gpt-sim-unlisted]" in text_of(events)
