"""The HTTP requests of the API, built once for both clients (:mod:`.sync`, :mod:`.asynchronous`
only send them), and the headers that carry a local key."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from switchboard.client.config import Connection
from switchboard.client.errors import SwitchboardError
from switchboard.client.keys import LocalKey, choose_request_key, provider_of
from switchboard.client.stored import Keychain
from switchboard.client.types import Workspace


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    json: Any = None
    params: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    stream: bool = False


def auth_headers(conn: Connection) -> dict[str, str]:
    return {"Authorization": f"Bearer {conn.token}", "User-Agent": "switchboard-client"}


def key_headers(key: LocalKey | None) -> dict[str, str]:
    """The per-request key headers (never stored by the server)."""
    return {"X-Provider": key.provider, "X-Provider-Key": key.secret} if key else {}


@dataclass(frozen=True)
class KeyPicker:
    """Applies the key order (:mod:`.keys`) for the models of one call."""

    keys: Mapping[str, str] = field(repr=False)  # per-client keys (the "flag" level)
    environ: Mapping[str, str] = field(repr=False)
    stored: Callable[[str], str | None]

    def for_models(self, models: Sequence[str], key: str | None = None) -> LocalKey | None:
        """One key per request (the server takes one ``X-Provider``): the first model's
        provider that has a local key; ``key`` is for the first model's provider."""
        for index, model in enumerate(models):
            provider = provider_of(model)
            flag = key if index == 0 and key else self.keys.get(provider)
            chosen = choose_request_key(
                provider, flag=flag, environ=self.environ, stored=self.stored
            )
            if chosen is not None:
                return chosen
        return None


def _nothing_stored(_: str) -> str | None:
    return None


def picker_for(
    conn: Connection, keys: Mapping[str, str] | None, environ: Mapping[str, str], keychain: Keychain
) -> KeyPicker:
    """The key order for a client; after ``switchboard keys use platform`` only keys passed
    explicitly are sent (no environment, no keychain): the server's order decides."""
    if conn.active_provider == "platform":
        return KeyPicker(dict(keys or {}), {}, _nothing_stored)
    return KeyPicker(dict(keys or {}), environ, keychain.get)


def pick_workspace(workspaces: list[Workspace]) -> str:
    if len(workspaces) == 1:
        return workspaces[0].id
    if not workspaces:
        raise SwitchboardError("no_workspace", "You belong to no workspace yet: create one first.")
    names = ", ".join(f"{w.name} ({w.id})" for w in workspaces)
    raise SwitchboardError(
        "choose_workspace",
        f"You belong to several workspaces; pick one with --workspace or SWITCHBOARD_WORKSPACE: "
        f"{names}.",
    )


def model_or_default(model: str | None, conn: Connection) -> str:
    chosen = model or conn.default_model
    if not chosen:
        raise SwitchboardError(
            "no_model",
            "No model: pass one (provider/model), set SWITCHBOARD_MODEL, or run "
            "`switchboard keys model PROVIDER MODEL`.",
        )
    return chosen


def me() -> Call:
    return Call("GET", "/api/auth/me")


def workspaces() -> Call:
    return Call("GET", "/api/workspaces")


def models(ws: str) -> Call:
    return Call("GET", f"/api/workspaces/{ws}/models")


def list_conversations(ws: str, limit: int) -> Call:
    return Call("GET", f"/api/workspaces/{ws}/conversations", params={"limit": limit})


def create_conversation(ws: str, title: str) -> Call:
    return Call("POST", f"/api/workspaces/{ws}/conversations", json={"title": title})


def get_conversation(conversation_id: str) -> Call:
    return Call("GET", f"/api/conversations/{conversation_id}")


def delete_conversation(conversation_id: str) -> Call:
    return Call("DELETE", f"/api/conversations/{conversation_id}")


def send_message(conversation_id: str, content: str, model: str, key: LocalKey | None) -> Call:
    return Call(
        "POST",
        f"/api/conversations/{conversation_id}/messages",
        json={"content": content, "model": model},
        headers={"Accept": "text/event-stream", **key_headers(key)},
        stream=True,
    )


def compare(
    conversation_id: str, content: str, models: Sequence[str], blind: bool, key: LocalKey | None
) -> Call:
    return Call(
        "POST",
        f"/api/conversations/{conversation_id}/compare",
        json={"content": content, "models": list(models), "blind": blind},
        headers={"Accept": "text/event-stream", **key_headers(key)},
        stream=True,
    )


def check_key(provider: str, secret: str) -> Call:
    return Call("POST", "/api/keys/check", json={"provider": provider, "secret": secret})


def personal_keys() -> Call:
    return Call("GET", "/api/me/credentials")


def workspace_keys(ws: str) -> Call:
    return Call("GET", f"/api/workspaces/{ws}/credentials")


def add_personal_key(provider: str, secret: str, label: str) -> Call:
    body = {"provider": provider, "secret": secret, "label": label}
    return Call("POST", "/api/me/credentials", json=body)


def delete_personal_key(key_id: str) -> Call:
    return Call("DELETE", f"/api/me/credentials/{key_id}")
