"""The HTTP transport under the provider SDKs.

Both official SDKs document an aiohttp transport, ``DefaultAioHttpClient`` (their ``aiohttp``
extra), "for improved concurrency performance": the SDK still builds every request, applies the
key, raises its status errors and parses every stream; only the bytes travel through aiohttp's
connection pool and C HTTP parser instead of httpx2/httpcore2/h11 on anyio. Measured against the
provider simulator, 300 sequential streamed calls per client in one process: 1.08-1.13 ms client
CPU per call with aiohttp, 1.57-1.80 ms with the default transport (issue 14).

``http_transport = "httpx"`` (``SWITCHBOARD_PROVIDER_HTTP_TRANSPORT``) goes back to the SDKs'
default. User-supplied base URLs keep the SSRF-guarded httpx2 transport either way
(:mod:`adapters.ssrf`). The ``google-genai`` SDK is not configured here: it sends its async
calls through aiohttp by itself whenever aiohttp is installed, as it now is.
"""

from __future__ import annotations

import anthropic
import httpx2
import openai

from adapters.config import AdapterConfig

TRANSPORTS = ("aiohttp", "httpx")


def _aiohttp(config: AdapterConfig) -> bool:
    if config.http_transport not in TRANSPORTS:
        raise ValueError(
            f"http_transport must be one of {TRANSPORTS}, not {config.http_transport!r}"
        )
    return config.http_transport == "aiohttp"


def openai_http_client(config: AdapterConfig) -> httpx2.AsyncClient | None:
    """The ``openai`` SDK's ``http_client``; None keeps the SDK's default."""
    return openai.DefaultAioHttpClient() if _aiohttp(config) else None


def anthropic_http_client(config: AdapterConfig) -> httpx2.AsyncClient | None:
    """The ``anthropic`` SDK's ``http_client``; None keeps the SDK's default."""
    return anthropic.DefaultAioHttpClient() if _aiohttp(config) else None
