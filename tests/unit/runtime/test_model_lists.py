"""The per-key cache of the providers' model lists: TTL, remembered failures, eviction."""

from __future__ import annotations

import asyncio

from adapters import ModelInfo
from workspace.runtime.model_lists import ModelLists, Timing

TIMING = Timing(ttl_s=60, retry_s=5, timeout_s=1)
GPT = ModelInfo("openai", "gpt-x", "GPT X", 8_000, 1_000)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Lister:
    """Counts fetches; fails while ``failing``."""

    def __init__(self) -> None:
        self.calls = 0
        self.failing = False

    async def __call__(self) -> list[ModelInfo]:
        self.calls += 1
        if self.failing:
            raise ConnectionError("down")
        return [GPT]


async def test_a_listing_is_reused_until_its_ttl_ends() -> None:
    clock, fetch = Clock(), Lister()
    lists = ModelLists(clock)
    assert await lists.get("k", fetch, TIMING) == (GPT,)
    clock.now = 59
    assert await lists.get("k", fetch, TIMING) == (GPT,)
    assert fetch.calls == 1
    clock.now = 61
    await lists.get("k", fetch, TIMING)
    assert fetch.calls == 2


async def test_a_failed_listing_is_none_and_asked_again_after_the_retry_delay() -> None:
    clock, fetch = Clock(), Lister()
    fetch.failing = True
    lists = ModelLists(clock)
    assert await lists.get("k", fetch, TIMING) is None
    clock.now = 4
    assert await lists.get("k", fetch, TIMING) is None
    assert fetch.calls == 1
    fetch.failing = False
    clock.now = 6
    assert await lists.get("k", fetch, TIMING) == (GPT,)


async def test_a_slow_listing_times_out_to_none() -> None:
    async def slow() -> list[ModelInfo]:
        await asyncio.sleep(5)
        return [GPT]

    lists = ModelLists()
    assert await lists.get("k", slow, Timing(60, 5, 0.05)) is None


async def test_eviction_forgets_one_key_or_all() -> None:
    fetch = Lister()
    lists = ModelLists(Clock())
    await lists.get("a", fetch, TIMING)
    await lists.get("b", fetch, TIMING)
    lists.evict("a")
    assert (lists.cached("a"), lists.cached("b")) == (False, True)
    lists.evict("*")
    assert not lists.cached("b")


async def test_a_fetch_racing_an_eviction_is_not_stored() -> None:
    lists = ModelLists(Clock())

    async def evicted_meanwhile() -> list[ModelInfo]:
        lists.evict("k")  # the key rotated while its listing was on the wire
        return [GPT]

    assert await lists.get("k", evicted_meanwhile, TIMING) == (GPT,)
    assert not lists.cached("k")


async def test_a_request_key_listing_is_never_stored() -> None:
    fetch = Lister()
    lists = ModelLists(Clock())
    await lists.get(None, fetch, TIMING)
    await lists.get(None, fetch, TIMING)
    assert fetch.calls == 2


async def test_the_background_refresh_fetches_only_expired_listings_in_use() -> None:
    clock, a, b, idle = Clock(), Lister(), Lister(), Lister()
    lists = ModelLists(clock)
    await lists.get("a", a, TIMING)
    await lists.get("idle", idle, TIMING)
    clock.now = 30
    await lists.get("a", a, TIMING)  # read again: in use
    await lists.get("b", b, TIMING)
    clock.now = 61
    assert await lists.refresh_expired(TIMING) == 1
    assert (a.calls, b.calls, idle.calls) == (2, 1, 1)
    assert not lists.cached("idle")


async def test_concurrent_requests_on_a_cold_key_share_one_fetch() -> None:
    calls = 0

    async def slow() -> list[ModelInfo]:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)
        return [GPT]

    lists = ModelLists()
    results = await asyncio.gather(*(lists.get("k", slow, TIMING) for _ in range(5)))
    assert results == [(GPT,)] * 5
    assert calls == 1
