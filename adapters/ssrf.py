"""The SSRF guard for base URLs a user types in (OpenAI-compatible servers).

A user-supplied base URL makes this server open a connection on the user's behalf, so it must
never reach the internal network or a cloud metadata service. Two layers:

1. `check_base_url` refuses bad schemes, userinfo and any host whose addresses (every one the
   resolver returns) are not public, and returns the vetted addresses.
2. `PinnedTransport` resolves and checks again *at connect time* and connects to exactly the
   address it checked (Host header and TLS SNI keep the name), so a DNS answer that changes
   between check and connect (rebinding) never reaches a private address.

IP literals are read the way libc reads them (`inet_aton`: ``2130706433``, ``0177.0.0.1``,
``0x7f.1``, ``127.1``), because that is what the connecting code would do with them.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx2

from adapters.errors import UnsafeBaseURL

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

_PROVIDER = "openai_compatible"
_METADATA_HOSTS = frozenset(
    {"metadata.google.internal", "metadata.goog", "metadata", "instance-data", "localhost"}
)
_METADATA_IPS = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


@dataclass(frozen=True, slots=True)
class VettedURL:
    """A base URL that passed the guard, with the addresses its host resolved to."""

    url: str
    host: str
    port: int
    addresses: tuple[IPAddress, ...]


async def system_resolver(host: str, port: int) -> list[str]:
    """Resolve with the event loop's getaddrinfo (the same lookup a connection would make)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address `host` denotes if it is an IP literal in any form libc accepts, else None."""
    candidate = host.strip("[]")
    try:
        return ipaddress.ip_address(candidate.split("%", 1)[0])
    except ValueError:
        pass
    if not candidate or not all(c.isalnum() or c == "." for c in candidate):
        return None
    try:
        packed = socket.inet_aton(candidate)
    except OSError:
        return None
    return ipaddress.IPv4Address(packed)


def forbidden_reason(ip: IPAddress) -> str | None:
    """Why connecting to `ip` is refused, or None if it is a public address."""
    if ip in _METADATA_IPS:
        return "a cloud metadata address"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            reason = forbidden_reason(embedded)
            return f"an IPv6 address wrapping {reason}" if reason else None
        if ip in _NAT64_LOCAL:
            return "a local NAT64 address"
    checks = (
        (ip.is_loopback, "a loopback address"),
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT, "a carrier-grade NAT address"),
        (ip.is_private, "a private network address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "a non-public address"),
    )
    for hit, reason in checks:
        if hit:
            return reason
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address carried inside a transition-mechanism IPv6 address, if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        server, client = ip.teredo
        # Either end being private makes the tunnel a path into the internal network.
        return client if forbidden_reason(client) else server
    if int(ip) >> 32 == 0 and int(ip) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _refuse(url: str, why: str) -> UnsafeBaseURL:
    return UnsafeBaseURL(
        f"The base URL {url!r} cannot be used: {why}. Use a public http(s) address.",
        provider=_PROVIDER,
    )


def _split(url: str) -> tuple[str, str, int]:
    """Scheme, host and port of `url`, refusing shapes that parsers disagree about."""
    if any(c.isspace() or ord(c) < 0x20 or c == "\\" for c in url):
        raise _refuse(url, "it contains whitespace, control characters or backslashes")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise _refuse(url, "only http and https are allowed")
    if "@" in parts.netloc:
        raise _refuse(url, "user names or passwords in the URL are not allowed")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise _refuse(url, "it has no host")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise _refuse(url, "its port is not a number") from None
    return scheme, host, port


async def vet_host(host: str, port: int, *, resolver: Resolver, url: str) -> tuple[IPAddress, ...]:
    """Resolve `host` and return its addresses if every one is public."""
    name = host.rstrip(".").lower()
    if name in _METADATA_HOSTS or name.endswith((".localhost", ".internal", ".local")):
        raise _refuse(url, f"{host!r} is an internal host name")
    literal = parse_ip_literal(name)
    if literal is not None:
        addresses: tuple[IPAddress, ...] = (literal,)
    else:
        try:
            answers = await resolver(name, port)
        except (OSError, UnicodeError):
            raise _refuse(url, f"the host {host!r} could not be resolved") from None
        parsed = [parse_ip_literal(a) for a in answers]
        addresses = tuple(a for a in parsed if a is not None)
        if not addresses or len(addresses) != len(parsed):
            raise _refuse(url, f"the host {host!r} did not resolve to usable addresses")
    for address in addresses:
        reason = forbidden_reason(address)
        if reason:
            raise _refuse(url, f"{host!r} points to {reason}")
    return addresses


async def check_base_url(
    url: str, *, allow_private: bool = False, resolver: Resolver = system_resolver
) -> VettedURL:
    """Vet a user-supplied base URL; raises `UnsafeBaseURL` with a sentence a person reads.

    `allow_private` (an operator setting) skips the address checks but never the scheme and
    userinfo checks.
    """
    _scheme, host, port = _split(url)
    if allow_private:
        return VettedURL(url=url, host=host, port=port, addresses=())
    addresses = await vet_host(host, port, resolver=resolver, url=url)
    return VettedURL(url=url, host=host, port=port, addresses=addresses)


class PinnedTransport(httpx2.AsyncBaseTransport):
    """An httpx2 transport that checks the peer address at connect time and pins to it.

    Every request's host is resolved here, every answer is checked, and the connection is made
    to the checked address itself (the original name stays in the Host header and TLS SNI), so
    no second, unchecked DNS lookup happens between the check and the connection.
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        resolver: Resolver = system_resolver,
        inner: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self._allow_private = allow_private
        self._resolver = resolver
        self._inner = inner
        # One pool per host name: pooled connections are keyed by the pinned IP, and a TLS
        # session made for one name must never carry requests for another name on that IP.
        self._pools: dict[str, httpx2.AsyncBaseTransport] = {}

    def _transport(self, host: str) -> httpx2.AsyncBaseTransport:
        if self._inner is not None:
            return self._inner
        pool = self._pools.get(host)
        if pool is None:
            pool = self._pools[host] = httpx2.AsyncHTTPTransport(trust_env=False, retries=0)
        return pool

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        url = str(request.url)
        _scheme, host, port = _split(url)
        if self._allow_private:
            return await self._transport(host).handle_async_request(request)
        addresses = await vet_host(host, port, resolver=self._resolver, url=url)
        pinned = httpx2.Request(
            request.method,
            request.url.copy_with(host=str(addresses[0])),
            headers=request.headers,
            stream=request.stream,
            extensions={**request.extensions, "sni_hostname": host},
        )
        return await self._transport(host).handle_async_request(pinned)

    async def aclose(self) -> None:
        for pool in [*self._pools.values(), *([self._inner] if self._inner else [])]:
            await pool.aclose()
        self._pools.clear()


def guarded_http_client(
    *,
    allow_private: bool,
    timeout: httpx2.Timeout,
    resolver: Resolver = system_resolver,
    inner: httpx2.AsyncBaseTransport | None = None,
) -> httpx2.AsyncClient:
    """An httpx2 client for user-supplied base URLs: pinned transport, no redirects, no env."""
    return httpx2.AsyncClient(
        transport=PinnedTransport(allow_private=allow_private, resolver=resolver, inner=inner),
        follow_redirects=False,
        trust_env=False,
        timeout=timeout,
    )
