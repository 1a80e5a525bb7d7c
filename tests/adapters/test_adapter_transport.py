"""Which HTTP client the SDKs get (adapters.transport), and that cached clients are closed."""

from __future__ import annotations

import anthropic
import openai
import pytest

from adapters.clients import ClientCache, close_clients
from adapters.config import AdapterConfig
from adapters.transport import anthropic_http_client, openai_http_client


async def test_aiohttp_is_each_sdks_own_aiohttp_client() -> None:
    config = AdapterConfig(http_transport="aiohttp")
    clients = [openai_http_client(config), anthropic_http_client(config)]
    assert isinstance(clients[0], openai.DefaultAioHttpClient)
    assert isinstance(clients[1], anthropic.DefaultAioHttpClient)
    for client in clients:
        assert client is not None
        await client.aclose()


def test_httpx_keeps_the_sdks_default() -> None:
    config = AdapterConfig(http_transport="httpx")
    assert openai_http_client(config) is None
    assert anthropic_http_client(config) is None


def test_an_unknown_transport_is_refused() -> None:
    with pytest.raises(ValueError, match="http_transport"):
        openai_http_client(AdapterConfig(http_transport="curl"))


class _Client:
    def __init__(self) -> None:
        self.closed = False

    async def close(self) -> None:
        self.closed = True


async def test_close_clients_closes_the_running_loops_clients() -> None:
    cache: ClientCache[_Client] = ClientCache()
    made = [cache.get("http://a", f"secret-{i}", _Client) for i in range(3)]
    await close_clients()
    assert all(c.closed for c in made)
    assert cache.get("http://a", "secret-0", _Client) is not made[0]  # forgotten, made again
