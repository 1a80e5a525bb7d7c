"""A conversation page with 20 images: how long the server takes to render it, and how long a
browser-like client (6 connections) takes to fetch the page and all 20 images.

Each image is a 320x320 PNG of noise (~300 KB, incompressible, like a photo), sent one per
message through the API; the stored messages hold only references, so the page render should
not grow with the images' size. Target: the page under 200 ms (median of 20), like every page.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import struct
import time
import zlib

import httpx

from bench.stack import BenchStack, bench_stack

TARGET_MS = 200.0
IMAGES = 20
REQUESTS = 20
SIDE = 320
BROWSER_CONNECTIONS = 6


def _noise_png(rng: random.Random) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + rng.randbytes(SIDE * 3) for _ in range(SIDE))
    header = struct.pack(">IIBBBBB", SIDE, SIDE, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 1))
        + chunk(b"IEND", b"")
    )


async def _conversation_with_images(http: httpx.AsyncClient) -> tuple[str, str, list[str]]:
    ws = (await http.post("/api/workspaces", json={"name": "Images"})).json()["id"]
    await http.post(
        f"/api/workspaces/{ws}/credentials",
        json={"provider": "openai", "secret": "sk-bench-openai-0001"},
    )
    c = (await http.post(f"/api/workspaces/{ws}/conversations", json={})).json()["id"]
    rng = random.Random(12)
    ids = []
    for n in range(IMAGES):
        upload = await http.post(
            f"/api/workspaces/{ws}/attachments",
            files={"file": (f"photo-{n}.png", _noise_png(rng), "image/png")},
        )
        upload.raise_for_status()
        ids.append(upload.json()["id"])
        body = {"content": f"Photo {n}", "model": "openai/gpt-4o", "attachment_ids": [ids[-1]]}
        async with http.stream("POST", f"/api/conversations/{c}/messages", json=body) as resp:
            resp.raise_for_status()
            await resp.aread()
    return ws, c, ids


async def _page_with_images(http: httpx.AsyncClient, page: str, ids: list[str]) -> float:
    gate = asyncio.Semaphore(BROWSER_CONNECTIONS)

    async def image(attachment_id: str) -> None:
        async with gate:
            resp = await http.get(f"/api/attachments/{attachment_id}", params={"inline": "1"})
            resp.raise_for_status()

    start = time.perf_counter()
    (await http.get(page)).raise_for_status()
    await asyncio.gather(*(image(i) for i in ids))
    return (time.perf_counter() - start) * 1000


async def _measure(stack: BenchStack) -> None:
    limits = httpx.Limits(max_connections=BROWSER_CONNECTIONS)
    async with httpx.AsyncClient(base_url=stack.app_url, timeout=120, limits=limits) as http:
        signup = await http.post(
            "/api/auth/signup",
            json={"email": f"images-{time.time_ns()}@example.test", "password": "bench password 1"},
        )
        http.headers["X-CSRF-Token"] = signup.json()["csrf_token"]
        ws, c, ids = await _conversation_with_images(http)
        page = f"/w/{ws}/c/{c}"
        await http.get(page)
        renders, loads = [], []
        for _ in range(REQUESTS):
            start = time.perf_counter()
            (await http.get(page)).raise_for_status()
            renders.append((time.perf_counter() - start) * 1000)
            loads.append(await _page_with_images(http, page, ids))
    p50, load = statistics.median(renders), statistics.median(loads)
    verdict = "met" if p50 < TARGET_MS else "MISSED"
    title = f"conversation page, {IMAGES} images (~300 KB each)"
    print(f"{title:<50} {'p50 ms':>8} {'max ms':>8}")
    print(f"{'  page render':<50} {p50:8.1f} {max(renders):8.1f}  < {TARGET_MS:.0f} ms: {verdict}")
    print(f"{'  page + all images, 6 connections':<50} {load:8.1f} {max(loads):8.1f}")


def run_attachments_bench() -> None:
    with bench_stack() as stack:
        asyncio.run(_measure(stack))
