"""The rows of ``keys status`` and the key lines of ``doctor``: the key order at work, per
provider, as this machine and the server see it now."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from switchboard.client import Client, SwitchboardError
from switchboard.client.keys import PROVIDER_KEY_VARIABLES, LocalKey, choose_request_key
from switchboard.client.stored import last_used as local_last_used
from switchboard.client.types import Model, StoredKey

UNUSABLE = ("invalid", "expired")
WHO_PAYS = {
    "request": "you (key sent per request)",
    "personal": "you (personal key)",
    "workspace": "the workspace's key",
    "platform": "workspace credits (platform key)",
}


@dataclass(frozen=True)
class ProviderKey:
    """One provider's key as things stand: a local key, or what the server would use."""

    provider: str
    local: LocalKey | None
    server_source: str | None
    stored: StoredKey | None  # the server's key that would serve (personal or workspace)

    @property
    def source(self) -> str:
        if self.local is not None:
            variable = self.local.source
            return f"{variable} (sent per request)"
        return f"server: {self.server_source}" if self.server_source else "none"

    @property
    def pays(self) -> str:
        if self.local is not None:
            return WHO_PAYS["request"]
        return WHO_PAYS.get(self.server_source or "", "nobody: no key can serve")


def _newest_usable(keys: list[StoredKey]) -> dict[str, StoredKey]:
    """Per provider, the key the server would pick: the newest one not invalid or expired
    (the list comes oldest first)."""
    return {k.provider: k for k in keys if k.status not in UNUSABLE}


def _workspace_keys(client: Client) -> list[StoredKey]:
    try:
        return client.workspace_keys()
    except SwitchboardError as exc:
        if exc.status == 403:  # a viewer may not see the workspace's keys
            return []
        raise


def provider_keys(client: Client, environ: Mapping[str, str]) -> list[ProviderKey]:
    models = client.models()
    stored = {
        "personal": _newest_usable(client.personal_keys()),
        "workspace": _newest_usable(_workspace_keys(client)),
    }
    providers = sorted({*PROVIDER_KEY_VARIABLES, *(m.provider for m in models)})
    keys = []
    for p in providers:
        source = _server_source(models, p)
        keys.append(
            ProviderKey(
                p,
                choose_request_key(p, flag=None, environ=environ, stored=client.picker.stored),
                source,
                stored.get(source or "", {}).get(p),
            )
        )
    return keys


def _server_source(models: list[Model], provider: str) -> str | None:
    return next((m.key_source for m in models if m.provider == provider and m.key_source), None)


def validity(client: Client, key: ProviderKey, check: bool) -> str:
    if key.local is not None:
        if not check:
            return "not checked"
        try:
            return client.check_key(key.provider, key.local.secret).status
        except SwitchboardError as exc:
            return f"unknown ({exc.code})"
    if key.stored is not None:
        return key.stored.status
    return "checked by the server" if key.server_source else "-"


def status_rows(client: Client, environ: Mapping[str, str], *, check: bool) -> list[list[str]]:
    rows = []
    used = local_last_used()
    for key in provider_keys(client, environ):
        if key.local is not None:
            print_, last_used = key.local.fingerprint, used.get(key.provider, "never")
        elif key.stored is not None:
            print_, last_used = key.stored.fingerprint, key.stored.last_used_at or "never"
        else:
            print_, last_used = "-", "-"
        rows.append(
            [key.provider, key.source, print_, validity(client, key, check), last_used, key.pays]
        )
    return rows
