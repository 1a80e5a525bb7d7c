"""An `OAuthTokenStore` held in memory: for checking a pasted file before it is stored.

Validating a pasted file may refresh it, and a rotating vendor kills the pasted refresh token
the moment it is used; the caller stores `data` afterwards, never the text it was given.
"""

from __future__ import annotations

import asyncio
import copy
from contextlib import AbstractAsyncContextManager


class MemoryTokenStore:
    """One credential's tokens in this process, with an asyncio lock as the single flight."""

    def __init__(self, data: dict[str, object]) -> None:
        self.data = copy.deepcopy(data)
        self.expired = False
        self.saves = 0
        self._lock = asyncio.Lock()

    async def lock(self) -> AbstractAsyncContextManager[None]:
        return _Held(self._lock)

    async def load(self) -> dict[str, object]:
        return copy.deepcopy(self.data)

    async def save(self, data: dict[str, object]) -> None:
        self.data = copy.deepcopy(data)
        self.saves += 1

    async def mark_expired(self) -> None:
        self.expired = True

    def __repr__(self) -> str:
        return f"<MemoryTokenStore fields={sorted(self.data)!r} expired={self.expired}>"


class _Held(AbstractAsyncContextManager[None]):
    def __init__(self, lock: asyncio.Lock) -> None:
        self._lock = lock

    async def __aenter__(self) -> None:
        await self._lock.acquire()

    async def __aexit__(self, *exc: object) -> None:
        self._lock.release()
