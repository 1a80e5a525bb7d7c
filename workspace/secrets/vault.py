"""The secret store: HashiCorp Vault (or OpenBao) KV v2 over hvac.

hvac is synchronous, so every call runs in a worker thread, never on the event loop. Reads go
through a small TTL cache that is evicted explicitly on rotate and delete (and, across replicas,
by PostgreSQL NOTIFY). The client logs in with AppRole, Kubernetes or a token file, renews its
token before it expires and logs in again when renewal is no longer possible.

Vault being sealed, unreachable or refusing us (403) is :class:`SecretStoreUnavailable` (a 503),
never "no key": callers must not fall back to another key source because Vault is down.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import anyio.to_thread
import hvac
import hvac.exceptions
import requests

from workspace.config.settings import Settings
from workspace.errors import ServiceUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")

K8S_JWT = Path("/var/run/secrets/kubernetes.io/serviceaccount/token")
RENEW_MARGIN_S = 60.0


class SecretStoreUnavailable(ServiceUnavailable):
    code = "secret_store_unavailable"

    def __init__(
        self, detail: str = "The secret store (Vault) is unavailable; try again shortly."
    ) -> None:
        super().__init__(detail)


class SecretNotFound(LookupError):
    """No live version at that path."""


@dataclass
class _Cached:
    expires: float
    data: dict[str, str]
    version: int


class SecretStore:
    """KV v2 access for one mount; paths are built by callers from database ids only."""

    def __init__(self, settings: Settings) -> None:
        if settings.vault_addr is None:
            raise ValueError("vault_addr is not set")
        self._settings = settings
        self._mount = settings.vault_kv_mount
        self._client = hvac.Client(url=settings.vault_addr, timeout=settings.vault_timeout_s)
        self._login_lock = threading.Lock()
        self._token_expires = 0.0
        self._renewable = False
        self._cache: OrderedDict[str, _Cached] = OrderedDict()
        self._cache_lock = threading.Lock()
        # False while this process may miss another replica's eviction (its LISTEN connection
        # is down): reads then go to Vault every time.
        self._cache_trusted = True
        # Other per-key caches (the providers' model lists) forget a key when its secret does.
        self._eviction_listeners: list[Callable[[str], None]] = []

    # --- authentication ---------------------------------------------------------------------
    def _login(self) -> None:
        s = self._settings
        if s.vault_auth_method == "approle":
            if not s.vault_role_id or not s.vault_secret_id_file:
                raise SecretStoreUnavailable("Vault AppRole is not configured.")
            secret_id = Path(s.vault_secret_id_file).read_text().strip()
            auth = self._client.auth.approle.login(s.vault_role_id, secret_id, use_token=True)
        elif s.vault_auth_method == "kubernetes":
            auth = self._client.auth.kubernetes.login(s.vault_k8s_role, K8S_JWT.read_text().strip())
        else:
            if s.vault_token_file is None:
                raise SecretStoreUnavailable("VAULT_TOKEN_FILE is not set.")
            self._client.token = Path(s.vault_token_file).read_text().strip()
            lookup = self._client.auth.token.lookup_self()["data"]
            auth = {
                "auth": {
                    "lease_duration": lookup.get("ttl") or 0,
                    "renewable": lookup.get("renewable", False),
                }
            }
        lease = float(auth["auth"].get("lease_duration") or 0)
        self._token_expires = time.monotonic() + lease if lease else float("inf")
        self._renewable = bool(auth["auth"].get("renewable"))

    def _ensure_token(self) -> None:
        with self._login_lock:
            remaining = self._token_expires - time.monotonic()
            if self._client.token and remaining > RENEW_MARGIN_S:
                return
            if self._client.token and self._renewable and remaining > 0:
                try:
                    renewed = self._client.auth.token.renew_self()
                    lease = float(renewed["auth"].get("lease_duration") or 0)
                    if lease > RENEW_MARGIN_S:
                        self._token_expires = time.monotonic() + lease
                        return
                except hvac.exceptions.VaultError:
                    log.info("vault token renewal failed; logging in again")
            self._login()

    def _call(self, fn: Callable[[], T]) -> T:
        """Run one hvac call with a valid token; re-login once on 403; map outages to 503."""
        for attempt in (1, 2):
            try:
                self._ensure_token()
                return fn()
            except hvac.exceptions.Forbidden:
                if attempt == 2:
                    raise SecretStoreUnavailable("Vault refused the app's token (403).") from None
                with self._login_lock:
                    self._token_expires = 0.0
            except hvac.exceptions.VaultDown:
                raise SecretStoreUnavailable("Vault is sealed.") from None
            except hvac.exceptions.InvalidPath:
                raise
            except (hvac.exceptions.VaultError, requests.RequestException, OSError) as exc:
                raise SecretStoreUnavailable(
                    f"Vault could not be reached ({type(exc).__name__})."
                ) from None
        raise AssertionError("unreachable")

    async def _run(self, fn: Callable[[], T]) -> T:
        return await anyio.to_thread.run_sync(self._call, fn)

    # --- cache -------------------------------------------------------------------------------
    def _cache_get(self, path: str) -> _Cached | None:
        with self._cache_lock:
            if not self._cache_trusted:
                return None
            hit = self._cache.get(path)
            if hit is None or hit.expires < time.monotonic():
                return None
            self._cache.move_to_end(path)
            return hit

    def _cache_put(self, path: str, entry: _Cached) -> None:
        with self._cache_lock:
            if not self._cache_trusted:
                return
            self._cache[path] = entry
            self._cache.move_to_end(path)
            while len(self._cache) > self._settings.vault_cache_max_entries:
                self._cache.popitem(last=False)

    def on_evict(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(path)`` whenever a path is evicted (``"*"`` for everything)."""
        self._eviction_listeners.append(listener)

    def evict(self, path: str) -> None:
        """Forget a cached secret (after rotate/delete, or when another replica says so)."""
        with self._cache_lock:
            self._cache.pop(path, None)
        for listener in self._eviction_listeners:
            listener(path)

    def evict_all(self) -> None:
        with self._cache_lock:
            self._cache.clear()

    def trust_cache(self, trusted: bool) -> None:
        """Use the cache (True) or bypass and empty it (False, while evictions may be missed)."""
        with self._cache_lock:
            self._cache_trusted = trusted
            if not trusted:
                self._cache.clear()
        for listener in self._eviction_listeners:
            listener("*")

    # --- KV v2 -------------------------------------------------------------------------------
    async def read(self, path: str, *, use_cache: bool = True) -> tuple[dict[str, str], int]:
        """The newest live version's data and version number."""
        if use_cache and (hit := self._cache_get(path)):
            return hit.data, hit.version

        def _read() -> tuple[dict[str, str], int]:
            try:
                resp = self._client.secrets.kv.v2.read_secret_version(
                    path, mount_point=self._mount, raise_on_deleted_version=True
                )
            except hvac.exceptions.InvalidPath:
                raise SecretNotFound(path) from None
            return dict(resp["data"]["data"]), int(resp["data"]["metadata"]["version"])

        data, version = await self._run(_read)
        self._cache_put(
            path, _Cached(time.monotonic() + self._settings.vault_cache_ttl_s, data, version)
        )
        return data, version

    async def write(self, path: str, data: dict[str, str], *, cas: int | None = None) -> int:
        """Write a new version (check-and-set when ``cas`` is given); returns its number."""

        def _write() -> int:
            resp = self._client.secrets.kv.v2.create_or_update_secret(
                path, secret=data, cas=cas, mount_point=self._mount
            )
            return int(resp["data"]["version"])

        self.evict(path)
        version = await self._run(_write)
        self.evict(path)
        return version

    async def versions(self, path: str) -> dict[int, dict[str, object]]:
        """Version metadata (``destroyed``, ``deletion_time``) by version number."""

        def _meta() -> dict[int, dict[str, object]]:
            try:
                resp = self._client.secrets.kv.v2.read_secret_metadata(
                    path, mount_point=self._mount
                )
            except hvac.exceptions.InvalidPath:
                return {}
            return {int(k): dict(v) for k, v in resp["data"]["versions"].items()}

        return await self._run(_meta)

    async def destroy_versions(self, path: str, versions: list[int]) -> None:
        """Destroy (not just delete) older versions, e.g. after a rotation validated."""
        if not versions:
            return
        await self._run(
            lambda: self._client.secrets.kv.v2.destroy_secret_versions(
                path, versions=versions, mount_point=self._mount
            )
        )
        self.evict(path)

    async def destroy_all(self, path: str) -> None:
        """Destroy every version and the metadata: nothing readable remains."""

        def _destroy() -> None:
            meta = self._client.secrets.kv.v2.read_secret_metadata(path, mount_point=self._mount)
            all_versions = [int(v) for v in meta["data"]["versions"]]
            if all_versions:
                self._client.secrets.kv.v2.destroy_secret_versions(
                    path, versions=all_versions, mount_point=self._mount
                )
            self._client.secrets.kv.v2.delete_metadata_and_all_versions(
                path, mount_point=self._mount
            )

        self.evict(path)
        try:
            await self._run(_destroy)
        except hvac.exceptions.InvalidPath:
            return

    async def healthy(self) -> bool:
        """Unsealed, reachable, and our token works."""
        try:
            await self._run(lambda: self._client.auth.token.lookup_self())
        except SecretStoreUnavailable:
            return False
        return True
