"""The asynchronous client: the same calls as :class:`switchboard.client.Client`, awaited;
``chat()`` and ``compare()`` are async iterators of typed events."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

import httpx

from switchboard.client import calls
from switchboard.client.config import Connection, resolve
from switchboard.client.errors import SwitchboardError
from switchboard.client.events import ChatEvent, parse
from switchboard.client.sse import aframes
from switchboard.client.stored import Keychain
from switchboard.client.sync import _json, readiness
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


class AsyncClient:
    """See :class:`switchboard.client.Client`; use ``async with AsyncClient() as client``."""

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
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        env = os.environ if environ is None else environ
        chain = keychain or Keychain()
        self.connection: Connection = resolve(
            url, token, workspace, model, environ=env, keychain=chain
        )
        self.picker = calls.picker_for(self.connection, keys, env, chain)
        self._http = httpx.AsyncClient(
            base_url=self.connection.url,
            headers=calls.auth_headers(self.connection),
            timeout=timeout,
            transport=transport,
        )

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _send(self, call: calls.Call) -> Any:
        try:
            response = await self._http.request(
                call.method, call.path, json=call.json, params=call.params, headers=call.headers
            )
        except httpx.HTTPError as exc:
            raise SwitchboardError("unreachable", f"{self.connection.url}: {exc}") from None
        return _json(response)

    async def _stream(self, call: calls.Call) -> AsyncIterator[ChatEvent]:
        request = self._http.build_request(call.method, call.path, json=call.json)
        request.headers.update(call.headers)
        try:
            response = await self._http.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise SwitchboardError("unreachable", f"{self.connection.url}: {exc}") from None
        try:
            if response.status_code >= 400:
                await response.aread()
                _json(response)
            async for name, data in aframes(response.aiter_lines()):
                if (event := parse(name, data)) is not None:
                    yield event
        finally:
            await response.aclose()

    async def me(self) -> Me:
        return build(Me, await self._send(calls.me()))

    async def workspaces(self) -> list[Workspace]:
        return [build(Workspace, w) for w in await self._send(calls.workspaces())]

    async def workspace_id(self) -> str:
        return self.connection.workspace or calls.pick_workspace(await self.workspaces())

    async def models(self) -> list[Model]:
        rows = await self._send(calls.models(await self.workspace_id()))
        return [build(Model, m) for m in rows]

    async def ready(self) -> dict[str, str]:
        try:
            response = await self._http.get("/readyz")
        except httpx.HTTPError as exc:
            raise SwitchboardError("unreachable", f"{self.connection.url}: {exc}") from None
        return readiness(response)

    async def conversations(self, limit: int = 50) -> list[Conversation]:
        rows = await self._send(calls.list_conversations(await self.workspace_id(), limit))
        return [build(Conversation, c) for c in rows]

    async def create_conversation(self, title: str = "") -> Conversation:
        call = calls.create_conversation(await self.workspace_id(), title)
        return build(Conversation, await self._send(call))

    async def conversation(self, conversation_id: str) -> ConversationDetail:
        return detail_of(await self._send(calls.get_conversation(conversation_id)))

    async def delete_conversation(self, conversation_id: str) -> None:
        await self._send(calls.delete_conversation(conversation_id))

    async def chat(
        self,
        prompt: str,
        *,
        model: str | None = None,
        conversation: str | None = None,
        key: str | None = None,
    ) -> AsyncIterator[ChatEvent]:
        """``async for event in await client.chat(...)``: see :meth:`Client.chat`."""
        chosen = calls.model_or_default(model, self.connection)
        local = self.picker.for_models([chosen], key)
        conversation_id = conversation or (await self.create_conversation()).id
        return self._stream(calls.send_message(conversation_id, prompt, chosen, local))

    async def compare(
        self,
        prompt: str,
        models: Sequence[str],
        *,
        conversation: str | None = None,
        blind: bool = False,
        key: str | None = None,
    ) -> AsyncIterator[ChatEvent]:
        local = self.picker.for_models(models, key)
        conversation_id = conversation or (await self.create_conversation()).id
        return self._stream(calls.compare(conversation_id, prompt, models, blind, local))

    async def check_key(self, provider: str, secret: str) -> KeyCheck:
        return build(KeyCheck, await self._send(calls.check_key(provider, secret)))

    async def personal_keys(self) -> list[StoredKey]:
        return [build(StoredKey, k) for k in await self._send(calls.personal_keys())]

    async def workspace_keys(self) -> list[StoredKey]:
        rows = await self._send(calls.workspace_keys(await self.workspace_id()))
        return [build(StoredKey, k) for k in rows]

    async def add_personal_key(self, provider: str, secret: str, label: str = "") -> StoredKey:
        return build(StoredKey, await self._send(calls.add_personal_key(provider, secret, label)))

    async def delete_personal_key(self, key_id: str) -> None:
        await self._send(calls.delete_personal_key(key_id))
