"""A small cache of SDK clients, so each call reuses a warm connection pool.

Keys are (event loop, base URL, SHA-256 of the secret): never the secret or its fingerprint
(two keys may share a fingerprint). Connection pools belong to one event loop, so the loop is
part of the key. Evicted clients are closed in the background; :func:`close_clients` closes
the running loop's clients when the app stops (an aiohttp session left open is reported as a
leak when it is collected).
"""

from __future__ import annotations

import asyncio
import hashlib
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar


class _Closable(Protocol):
    async def close(self) -> None: ...


C = TypeVar("C", bound=_Closable)


def secret_digest(secret: str) -> str:
    """The cache key part for a secret (one-way, full length: no collisions between keys)."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ClientCache(Generic[C]):
    """An LRU of SDK clients keyed by loop, base URL and secret digest."""

    def __init__(self, max_size: int = 64) -> None:
        self._max = max_size
        self._items: OrderedDict[tuple[int, str, str], C] = OrderedDict()
        self._closing: set[asyncio.Task[None]] = set()
        _CACHES.add(self)

    def get(self, base_url: str, secret: str, make: Callable[[], C]) -> C:
        """The cached client for this base URL and secret, created with `make` on a miss."""
        key = (id(asyncio.get_running_loop()), base_url, secret_digest(secret))
        client = self._items.get(key)
        if client is not None:
            self._items.move_to_end(key)
            return client
        client = make()
        self._items[key] = client
        while len(self._items) > self._max:
            (loop_id, _, _), old = self._items.popitem(last=False)
            if loop_id != key[0]:
                continue  # its loop has ended: its connections went with it
            task = asyncio.get_running_loop().create_task(old.close())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
        return client

    async def close_loop(self) -> None:
        """Close (and forget) the clients of the running loop."""
        loop_id = id(asyncio.get_running_loop())
        mine = [k for k in self._items if k[0] == loop_id]
        await asyncio.gather(*(self._items.pop(k).close() for k in mine), return_exceptions=True)

    def __repr__(self) -> str:
        return f"<ClientCache size={len(self._items)}>"


_CACHES: weakref.WeakSet[ClientCache[Any]] = weakref.WeakSet()


async def close_clients() -> None:
    """Close every cached SDK client of the running loop (the app's shutdown)."""
    await asyncio.gather(*(cache.close_loop() for cache in list(_CACHES)))
