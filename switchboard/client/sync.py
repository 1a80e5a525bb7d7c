"""The synchronous client: ``Client().chat("hello", model="openai/gpt-4o-mini")`` yields the
answer's typed events as they stream."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import httpx

from switchboard.client import calls
from switchboard.client.config import Connection, resolve
from switchboard.client.errors import SwitchboardError, from_problem
from switchboard.client.events import ChatEvent, parse
from switchboard.client.sse import frames
from switchboard.client.stored import Keychain
from switchboard.client.types import (
    Conversation,
    ConversationDetail,
    KeyCheck,
    Me,
    Model,
    StoredKey,
    Workspace,
    build,
    detail_of,
)


def _json(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        try:
            body = response.json()
        except ValueError:
            body = None
        raise from_problem(response.status_code, body)
    return response.json() if response.content else None


def readiness(response: httpx.Response) -> dict[str, str]:
    if response.status_code in {200, 503}:
        return {str(k): str(v) for k, v in response.json().items()}
    result: dict[str, str] = _json(response)
    return result


class Client:
    """The workspace API over HTTP. Arguments win over the environment, which wins over the
    CLI's stored config (see :mod:`switchboard.client.config`); ``keys`` maps providers to
    keys sent per request (see :mod:`switchboard.client.keys` for the whole order)."""

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        workspace: str | None = None,
        model: str | None = None,
        keys: Mapping[str, str] | None = None,
        environ: Mapping[str, str] | None = None,
        keychain: Keychain | None = None,
        timeout: float = 120.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        env = os.environ if environ is None else environ
        chain = keychain or Keychain()
        self.connection: Connection = resolve(
            url, token, workspace, model, environ=env, keychain=chain
        )
        self.picker = calls.picker_for(self.connection, keys, env, chain)
        self._http = httpx.Client(
            base_url=self.connection.url,
            headers=calls.auth_headers(self.connection),
            timeout=timeout,
            transport=transport,
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _send(self, call: calls.Call) -> Any:
        try:
            response = self._http.request(
                call.method, call.path, json=call.json, params=call.params, headers=call.headers
            )
        except httpx.HTTPError as exc:
            raise SwitchboardError("unreachable", f"{self.connection.url}: {exc}") from None
        return _json(response)

    def _stream(self, call: calls.Call) -> Iterator[ChatEvent]:
        request = self._http.build_request(call.method, call.path, json=call.json)
        request.headers.update(call.headers)
        try:
            response = self._http.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise SwitchboardError("unreachable", f"{self.connection.url}: {exc}") from None
        try:
            if response.status_code >= 400:
                response.read()
                _json(response)
            for name, data in frames(response.iter_lines()):
                if (event := parse(name, data)) is not None:
                    yield event
        finally:
            response.close()

    # --- account and workspace ---------------------------------------------------------------

    def me(self) -> Me:
        return build(Me, self._send(calls.me()))

    def workspaces(self) -> list[Workspace]:
        return [build(Workspace, w) for w in self._send(calls.workspaces())]

    def workspace_id(self) -> str:
        """The configured workspace, or the only one the token's user belongs to."""
        return self.connection.workspace or calls.pick_workspace(self.workspaces())

    def models(self) -> list[Model]:
        return [build(Model, m) for m in self._send(calls.models(self.workspace_id()))]

    def ready(self) -> dict[str, str]:
        """The server's readiness: ``status`` and each service's (``postgres``, ``vault``),
        also when one is down (a 503)."""
        try:
            response = self._http.get("/readyz")
        except httpx.HTTPError as exc:
            raise SwitchboardError("unreachable", f"{self.connection.url}: {exc}") from None
        return readiness(response)

    # --- conversations and chat -------------------------------------------------------------

    def conversations(self, limit: int = 50) -> list[Conversation]:
        rows = self._send(calls.list_conversations(self.workspace_id(), limit))
        return [build(Conversation, c) for c in rows]

    def create_conversation(self, title: str = "") -> Conversation:
        call = calls.create_conversation(self.workspace_id(), title)
        return build(Conversation, self._send(call))

    def conversation(self, conversation_id: str) -> ConversationDetail:
        return detail_of(self._send(calls.get_conversation(conversation_id)))

    def delete_conversation(self, conversation_id: str) -> None:
        self._send(calls.delete_conversation(conversation_id))

    def chat(
        self,
        prompt: str,
        *,
        model: str | None = None,
        conversation: str | None = None,
        key: str | None = None,
    ) -> Iterator[ChatEvent]:
        """Send ``prompt`` (in a new conversation unless one is given) and yield the answer's
        events; ``key`` is a key for this call only, for the model's provider."""
        chosen = calls.model_or_default(model, self.connection)
        local = self.picker.for_models([chosen], key)
        conversation_id = conversation or self.create_conversation().id
        return self._stream(calls.send_message(conversation_id, prompt, chosen, local))

    def compare(
        self,
        prompt: str,
        models: Sequence[str],
        *,
        conversation: str | None = None,
        blind: bool = False,
        key: str | None = None,
    ) -> Iterator[ChatEvent]:
        """Ask every model at once; each event carries its ``lane`` (the model's index)."""
        local = self.picker.for_models(models, key)
        conversation_id = conversation or self.create_conversation().id
        return self._stream(calls.compare(conversation_id, prompt, models, blind, local))

    # --- keys ----------------------------------------------------------------------------------

    def check_key(self, provider: str, secret: str) -> KeyCheck:
        """Ask the provider, through the server, whether a key works; nothing is stored."""
        return build(KeyCheck, self._send(calls.check_key(provider, secret)))

    def personal_keys(self) -> list[StoredKey]:
        return [build(StoredKey, k) for k in self._send(calls.personal_keys())]

    def workspace_keys(self) -> list[StoredKey]:
        """The workspace's keys (metadata; members may read them, viewers may not: 403)."""
        return [build(StoredKey, k) for k in self._send(calls.workspace_keys(self.workspace_id()))]

    def add_personal_key(self, provider: str, secret: str, label: str = "") -> StoredKey:
        """Store a key as yours in the server's Vault (validated first; refused if invalid)."""
        return build(StoredKey, self._send(calls.add_personal_key(provider, secret, label)))

    def delete_personal_key(self, key_id: str) -> None:
        self._send(calls.delete_personal_key(key_id))
