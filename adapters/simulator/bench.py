"""Measure the simulator's streaming throughput and latency (a script, not a timed test).

Runs the server in a *separate process* (so client and server do not share a GIL) and drives
it with raw ``httpx`` streamed chat completions: 8 chunks, interval 0. Prints requests/s at a
given concurrency and the p50/p99 latency of sequential small streams. Usage::

    python -m adapters.simulator.bench --requests 2000 --concurrency 32
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import time

import httpx

_BODY = {
    "model": "gpt-4o",
    "stream": True,
    "stream_options": {"include_usage": True},
    "messages": [{"role": "user", "content": "benchmark me"}],
}
_HEADERS = {"authorization": "Bearer sk-bench"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _one(client: httpx.AsyncClient, url: str) -> float:
    start = time.perf_counter()
    async with client.stream("POST", url, json=_BODY, headers=_HEADERS) as response:
        async for _ in response.aiter_raw():
            pass
        if response.status_code != 200:
            raise RuntimeError(f"status {response.status_code}")
    return time.perf_counter() - start


async def _measure(base: str, total: int, concurrency: int) -> None:
    url = f"{base}/v1/chat/completions"
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        for _ in range(50):
            await _one(client, url)
        latencies = sorted([await _one(client, url) for _ in range(300)])
        p50 = statistics.median(latencies) * 1000
        p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
        print(f"sequential small stream latency: p50 {p50:.2f} ms, p99 {p99:.2f} ms")

        queue = iter(range(total))

        async def worker() -> None:
            for _ in queue:
                await _one(client, url)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
        print(
            f"{total} streamed requests (8 chunks, interval 0) at concurrency {concurrency}: "
            f"{total / elapsed:.0f} req/s ({elapsed:.2f} s)"
        )


def main(argv: list[str] | None = None) -> None:
    """Start a simulator process, benchmark it, stop it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--url", help="benchmark an already running simulator instead")
    args = parser.parse_args(argv)
    if args.url:
        asyncio.run(_measure(args.url, args.requests, args.concurrency))
        return
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "-m", "adapters.simulator", "--port", str(port), "--log-level", "warning"]
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/_simulator/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        asyncio.run(_measure(base, args.requests, args.concurrency))
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
