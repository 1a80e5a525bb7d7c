"""The SSRF guard: hostile base URLs are refused, DNS rebinding and redirects go nowhere."""

from __future__ import annotations

from collections.abc import Callable

import httpx2
import pytest

from adapters.config import AdapterConfig
from adapters.errors import UnsafeBaseURL
from adapters.openai_chat.compatible import OpenAICompatibleProvider
from adapters.ssrf import (
    PinnedTransport,
    check_base_url,
    guarded_http_client,
    parse_ip_literal,
)
from adapters.types import ApiKeyCredential, ChatRequest, ErrorEvent, Finish, Message, Secret, Text

PUBLIC = "93.184.216.34"
DNS: dict[str, list[str]] = {
    "api.example.test": [PUBLIC],
    "127.0.0.1.nip.io": ["127.0.0.1"],
    "10.0.0.5.sslip.io": ["10.0.0.5"],
    "mixed.example.test": [PUBLIC, "10.1.2.3"],
    "v6loop.example.test": ["::1"],
    "metadata-alias.example.test": ["169.254.169.254"],
}


async def fake_resolver(host: str, port: int) -> list[str]:
    try:
        return DNS[host]
    except KeyError:
        raise OSError(f"no such host {host}") from None


HOSTILE = [
    "http://127.0.0.1/v1",
    "http://localhost:8080/v1",
    "http://2130706433/v1",  # decimal 127.0.0.1
    "http://0177.0.0.1/v1",  # octal
    "http://0x7f.1/v1",  # hex + short form
    "http://127.1/v1",  # short form
    "http://0x7f000001/v1",
    "http://017700000001/v1",
    "http://[::1]/v1",
    "http://[::ffff:a9fe:a9fe]/latest/meta-data",  # IPv4-mapped metadata
    "http://[::ffff:127.0.0.1]/v1",
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of metadata
    "http://[64:ff9b::10.0.0.1]/",  # NAT64 of private
    "http://[2002:7f00:1::]/",  # 6to4 of loopback
    "http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/",  # Teredo, client 10.0.0.1
    "http://[fd00:ec2::254]/latest/meta-data",  # AWS IPv6 metadata
    "http://[fe80::1]/",
    "http://[::]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://100.64.0.1/v1",  # CGNAT
    "http://0.0.0.0:8000/v1",
    "http://0/v1",
    "http://10.0.0.1/v1",
    "http://172.16.0.1/v1",
    "http://192.168.1.1/v1",
    "http://224.0.0.1/v1",
    "http://240.0.0.1/v1",
    "http://127.0.0.1.nip.io/v1",
    "http://10.0.0.5.sslip.io/v1",
    "http://mixed.example.test/v1",
    "http://v6loop.example.test/v1",
    "http://metadata-alias.example.test/v1",
    "http://unknown-host.example.test/v1",
    "http://user@evil@127.0.0.1/v1",
    "http://user:pass@api.example.test/v1",
    "https://api.example.test@127.0.0.1/v1",
    "file:///etc/passwd",
    "gopher://127.0.0.1:6379/_INFO",
    "ftp://api.example.test/",
    "http:///v1",
    "http://api.example.test\\@127.0.0.1/v1",
    "http://api.example.test /v1",
    "http://foo.localhost/v1",
]


@pytest.mark.parametrize("url", HOSTILE)
async def test_hostile_base_urls_are_refused(url: str) -> None:
    with pytest.raises(UnsafeBaseURL) as caught:
        await check_base_url(url, resolver=fake_resolver)

    assert caught.value.code == "unsafe_base_url"
    assert "cannot be used" in caught.value.message


async def test_public_base_url_is_vetted_with_its_addresses() -> None:
    vetted = await check_base_url("https://api.example.test/v1", resolver=fake_resolver)

    assert [str(a) for a in vetted.addresses] == [PUBLIC]
    assert vetted.port == 443


async def test_operator_opt_in_allows_private_addresses_but_not_bad_schemes() -> None:
    await check_base_url("http://127.0.0.1:8765/compat/v1", allow_private=True)

    with pytest.raises(UnsafeBaseURL):
        await check_base_url("file:///etc/passwd", allow_private=True)
    with pytest.raises(UnsafeBaseURL):
        await check_base_url("http://u@127.0.0.1/", allow_private=True)


@pytest.mark.parametrize(
    ("literal", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
    ],
)
def test_ip_literals_are_read_like_libc(literal: str, address: str) -> None:
    assert str(parse_ip_literal(literal)) == address


def _recording(
    handler: Callable[[httpx2.Request], httpx2.Response],
) -> tuple[httpx2.MockTransport, list[httpx2.Request]]:
    seen: list[httpx2.Request] = []

    def record(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return handler(request)

    return httpx2.MockTransport(record), seen


async def test_connection_is_pinned_to_the_vetted_address() -> None:
    inner, seen = _recording(lambda r: httpx2.Response(200, json={"data": []}))
    transport = PinnedTransport(resolver=fake_resolver, inner=inner)

    async with httpx2.AsyncClient(transport=transport) as client:
        await client.get("https://api.example.test/v1/models")

    assert seen[0].url.host == PUBLIC
    assert seen[0].headers["host"] == "api.example.test"
    assert seen[0].extensions["sni_hostname"] == "api.example.test"


async def test_dns_answer_that_changes_after_the_check_is_refused_at_connect() -> None:
    answers = iter([[PUBLIC], ["169.254.169.254"]])

    async def rebinding(host: str, port: int) -> list[str]:
        return next(answers)

    url = "http://rebind.example.test/v1"
    await check_base_url(url, resolver=rebinding)
    inner, seen = _recording(lambda r: httpx2.Response(200))
    client = guarded_http_client(
        allow_private=False, timeout=httpx2.Timeout(5.0), resolver=rebinding, inner=inner
    )

    with pytest.raises(UnsafeBaseURL):
        await client.get(f"{url}/models")
    assert seen == []
    await client.aclose()


async def test_redirects_are_not_followed() -> None:
    inner, seen = _recording(
        lambda r: httpx2.Response(302, headers={"location": "http://169.254.169.254/latest/"})
    )
    client = guarded_http_client(
        allow_private=False, timeout=httpx2.Timeout(5.0), resolver=fake_resolver, inner=inner
    )

    response = await client.get("https://api.example.test/v1/models")

    assert response.status_code == 302
    assert len(seen) == 1
    await client.aclose()


async def test_openai_compatible_provider_refuses_a_private_base_url() -> None:
    provider = OpenAICompatibleProvider(AdapterConfig(allow_private_base_urls=False))
    credential = ApiKeyCredential(
        Secret("sk-local-0123456789abcdef"), base_url="http://127.0.0.1:1/v1"
    )

    events = [
        e
        async for e in provider.stream(
            ChatRequest("local-model", (Message("user", (Text("hi"),)),)), credential
        )
    ]
    result = await provider.validate(credential)

    assert isinstance(events[0], ErrorEvent)
    assert isinstance(events[0].error, UnsafeBaseURL)
    assert events[-1] == Finish("error")
    assert result.status == "error"
    assert "cannot be used" in result.message
