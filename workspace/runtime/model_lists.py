"""The providers' own model lists, cached in the process per key.

A listing is fetched with the key that would pay for a call and is stored under that key's Vault
path (``workspaces/{ws}/credentials/{id}``, ``platform/{provider}``), never under anything
derived from the secret. A listing is reused for ``ttl`` seconds; a failed one is remembered
as "no listing" for ``retry`` seconds, so a provider outage does not make every catalogue wait
on it (the static catalogue serves meanwhile). Rotating or deleting a key evicts its Vault path
(:meth:`SecretStore.on_evict`, on every replica through LISTEN/NOTIFY), which drops its listing
here too; a fetch that was in flight while its key changed is not stored.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import anyio

from adapters import ModelInfo

log = logging.getLogger(__name__)

Fetch = Callable[[], Awaitable[list[ModelInfo]]]
"""Loads the key and asks its provider for the models it serves (raises on failure)."""
EVERYTHING = "*"


@dataclass(frozen=True)
class Timing:
    """How long listings live and how long one fetch may take (from the settings)."""

    ttl_s: float
    retry_s: float
    timeout_s: float


@dataclass
class _Entry:
    models: tuple[ModelInfo, ...] | None
    expires: float
    fetch: Fetch
    # Read since it was fetched: only such listings are kept warm in the background.
    used: bool = False


class ModelLists:
    """Listings by key path; ``None`` means the provider could not list (use the static one)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        # Bumped by every eviction: a fetch that started before one must not store its result.
        self._generation = 0
        self._inflight: dict[str, asyncio.Future[tuple[ModelInfo, ...] | None]] = {}

    async def get(
        self, key: str | None, fetch: Fetch, timing: Timing
    ) -> tuple[ModelInfo, ...] | None:
        """The cached listing for ``key``, fetching it when missing or expired.

        ``key=None`` (a key sent with one request) is fetched and never stored.
        """
        if key is None:
            return await self._fetch(fetch, timing)
        entry = self._entries.get(key)
        if entry is not None and entry.expires > self._clock():
            entry.used = True
            return entry.models
        # One fetch per key at a time: concurrent requests on a cold key wait for the same one,
        # which stores its result even if the request that started it went away.
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.ensure_future(self._fetch_and_store(key, fetch, timing))
            self._inflight[key] = task
            task.add_done_callback(lambda done: self._forget_inflight(key, done))
        return await asyncio.shield(task)

    async def _fetch_and_store(
        self, key: str, fetch: Fetch, timing: Timing
    ) -> tuple[ModelInfo, ...] | None:
        generation = self._generation
        models = await self._fetch(fetch, timing)
        if generation == self._generation:
            self._store(key, models, fetch, timing)
        return models

    def _forget_inflight(
        self, key: str, task: asyncio.Future[tuple[ModelInfo, ...] | None]
    ) -> None:
        if self._inflight.get(key) is task:
            del self._inflight[key]

    async def refresh_expired(self, timing: Timing) -> int:
        """Fetch again every expired listing that was read since its fetch, and forget the
        others (nobody asked for them: no provider call, no memory); how many were fetched."""
        now = self._clock()
        expired = [(k, e) for k, e in self._entries.items() if e.expires <= now]
        for key in [k for k, e in expired if not e.used]:
            self._entries.pop(key, None)
        expired = [(k, e) for k, e in expired if e.used]
        for key, entry in expired:
            generation = self._generation
            models = await self._fetch(entry.fetch, timing)
            if generation == self._generation and self._entries.get(key) is entry:
                self._store(key, models, entry.fetch, timing)
        return len(expired)

    def evict(self, key: str) -> None:
        """Forget the listing fetched with this key (``"*"``: all of them)."""
        self._generation += 1
        if key == EVERYTHING:
            self._entries.clear()
            self._inflight.clear()
        else:
            self._entries.pop(key, None)
            self._inflight.pop(key, None)

    def cached(self, key: str) -> bool:
        """Whether a listing for ``key`` is held (fresh or not)."""
        return key in self._entries

    def _store(
        self, key: str, models: tuple[ModelInfo, ...] | None, fetch: Fetch, timing: Timing
    ) -> None:
        lifetime = timing.ttl_s if models is not None else timing.retry_s
        self._entries[key] = _Entry(models, self._clock() + lifetime, fetch)

    @staticmethod
    async def _fetch(fetch: Fetch, timing: Timing) -> tuple[ModelInfo, ...] | None:
        try:
            with anyio.fail_after(timing.timeout_s):
                return tuple(await fetch())
        except Exception as exc:  # any failure to list falls back to the static catalogue
            log.info("model listing failed: %s", type(exc).__name__)
            return None
