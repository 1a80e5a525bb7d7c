"""The Python client against the running app: chat and compare stream typed events, refusals
carry the server's code, per-call keys travel as the request key, and the settings order holds."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from switchboard.client import (
    AsyncClient,
    Client,
    Delta,
    MessageEnd,
    MessageStart,
    SwitchboardError,
)
from switchboard.client.stored import Keychain
from tests.integration.client.conftest import TokenUser

HAIKU = "anthropic/claude-haiku-4-5"


@pytest.fixture
def keychain(tmp_path: Path) -> Keychain:
    """A keychain that is only a file here (the test machine's keyring backend is 'fail')."""
    return Keychain(tmp_path / "keys.json")


def _client(u: TokenUser, keychain: Keychain, **kwargs: object) -> Client:
    return Client(u.url, u.token, workspace=u.workspace, environ={}, keychain=keychain, **kwargs)  # type: ignore[arg-type]


async def test_sync_chat_streams_typed_events_with_a_per_call_key(
    token_user: TokenUser, keychain: Keychain
) -> None:
    with _client(token_user, keychain) as client:
        events = list(client.chat("hello", model="openai/gpt-4o-mini", key="sk-client-call-0001"))
        start = events[0]
        assert isinstance(start, MessageStart)
        assert start.key_source == "request"
        assert "".join(e.text for e in events if isinstance(e, Delta))
        assert isinstance(events[-1], MessageEnd) and events[-1].status == "complete"
        detail = client.conversation(start.conversation_id)
        assert [m.role for m in detail.messages] == ["user", "assistant"]
        assert detail.messages[1].key_source == "request"
        assert start.conversation_id in {c.id for c in client.conversations()}


async def test_sync_chat_continues_a_conversation(
    token_user: TokenUser, keychain: Keychain
) -> None:
    with _client(token_user, keychain, keys={"openai": "sk-client-keys-0002"}) as client:
        first = next(iter(client.chat("one", model="openai/gpt-4o-mini")))
        assert isinstance(first, MessageStart)
        list(client.chat("two", model="openai/gpt-4o-mini", conversation=first.conversation_id))
        detail = client.conversation(first.conversation_id)
        assert len(detail.messages) == 4


async def test_no_key_anywhere_is_the_servers_code(
    token_user: TokenUser, keychain: Keychain
) -> None:
    with _client(token_user, keychain) as client:
        try:
            codes = [getattr(e, "code", None) for e in client.chat("hi", model=HAIKU)]
        except SwitchboardError as exc:
            codes = [exc.code]
    assert "no_key_available" in codes


async def test_refusal_raises_with_code_and_status(
    token_user: TokenUser, keychain: Keychain
) -> None:
    with _client(token_user, keychain) as client, pytest.raises(SwitchboardError) as caught:
        client.conversation(str(uuid.uuid4()))
    assert caught.value.code == "not_found"
    assert caught.value.status == 404


async def test_bad_token_is_not_authenticated(token_user: TokenUser, keychain: Keychain) -> None:
    client = Client(token_user.url, "sb_nope", environ={}, keychain=keychain)
    with client, pytest.raises(SwitchboardError) as caught:
        client.me()
    assert (caught.value.code, caught.value.status) == ("not_authenticated", 401)


async def test_key_check_stores_nothing(token_user: TokenUser, keychain: Keychain) -> None:
    with _client(token_user, keychain) as client:
        good = client.check_key("openai", "sk-client-check-00000003")
        bad = client.check_key("openai", "sk-invalid-client-check-0004")
        assert (good.status, good.fingerprint) == ("valid", "sk-...0003")
        assert bad.status == "invalid" and "0004" not in bad.message
        assert client.personal_keys() == []


async def test_personal_keys_round_trip(token_user: TokenUser, keychain: Keychain) -> None:
    with _client(token_user, keychain) as client:
        stored = client.add_personal_key("groq", "gsk_client_personal_0005")
        assert stored.scope == "personal" and stored.fingerprint == "gsk...0005"
        assert [k.id for k in client.personal_keys()] == [stored.id]
        client.delete_personal_key(stored.id)
        assert client.personal_keys() == []


async def test_async_client_chat_and_compare(token_user: TokenUser, keychain: Keychain) -> None:
    env = {"OPENAI_API_KEY": "sk-client-env-async-0006"}
    async with AsyncClient(
        token_user.url,
        token_user.token,
        workspace=token_user.workspace,
        environ=env,
        keychain=keychain,
    ) as client:
        assert (await client.me()).email == token_user.user.email
        events = [e async for e in await client.chat("hi", model="openai/gpt-4o-mini")]
        assert isinstance(events[0], MessageStart) and events[0].key_source == "request"
        stored = await client.add_personal_key("anthropic", "sk-ant-client-async-0007")
        lanes = [e async for e in await client.compare("compare", ["openai/gpt-4o-mini", HAIKU])]
        starts = {e.lane: e for e in lanes if isinstance(e, MessageStart)}
        assert {s.key_source for s in starts.values()} == {"request", "personal"}
        await client.delete_personal_key(stored.id)


def test_settings_order_arguments_then_environment_then_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from switchboard.client.config import resolve
    from switchboard.client.stored import StoredConfig

    stored = StoredConfig(
        url="http://stored",
        workspace="ws-stored",
        provider="openai",
        models={"openai": "openai/stored"},
    )
    chain = Keychain(tmp_path / "k.json")
    chain.set("token", "sb_stored")
    env = {"SWITCHBOARD_URL": "http://env", "SWITCHBOARD_TOKEN": "sb_env"}
    both = resolve("http://arg", environ=env, stored=stored, keychain=chain)
    assert (both.url, both.token) == ("http://arg", "sb_env")
    from_env = resolve(environ=env, stored=stored, keychain=chain)
    assert (from_env.url, from_env.workspace) == ("http://env", "ws-stored")
    only_stored = resolve(environ={}, stored=stored, keychain=chain)
    assert (only_stored.url, only_stored.token) == ("http://stored", "sb_stored")
    assert only_stored.default_model == "openai/stored"
    assert "sb_stored" not in repr(only_stored)
