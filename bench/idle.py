"""Idle streams: many chat streams held open at once, each waiting for a slow first token.

Measured on a fresh app process (:func:`bench.stack.extra_app`) so arenas, caches and pool
connections an earlier benchmark left behind hide nothing; a few streams warm it first (lazy
imports, the pooled connections that opening streams uses). The cost of a held stream is the
growth of the app's RSS plus PostgreSQL's (the PSS of the postmaster's children, so shared
buffers are not counted once per backend), divided by the streams held.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import resource
from dataclasses import dataclass

import httpx
import psutil

from bench.chat import Bench, _frames
from bench.stack import BenchStack, extra_app

IDLE_MODEL = "claude-haiku-4-5"
OPENING_AT_ONCE = 32
# The warm-up opens as many at once as the measurement does: the database connections that
# opening needs stay in the app's pool (a fixed cost of the replica, not of a held stream).
WARM_STREAMS = OPENING_AT_ONCE
TARGET_KIB = 50


@dataclass
class IdleFigures:
    """What ``streams`` held streams cost, in KiB per stream."""

    streams: int
    held: int = 0
    app_kib: float = 0.0
    pg_kib: float = 0.0
    pg_backends: tuple[int, int] = (0, 0)

    @property
    def total_kib(self) -> float:
        return self.app_kib + self.pg_kib


def raise_open_files(needed: int) -> None:
    """The client (and the app it spawns) hold a socket per stream: lift the soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        top = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (top, hard))


def _rss(pid: int) -> int:
    return int(psutil.Process(pid).memory_info().rss)


def _pg_memory(postmaster: int) -> tuple[int, int]:
    """(bytes, backends): the PSS of the postmaster's children (RSS where PSS is unknown)."""
    total, count = 0, 0
    for child in psutil.Process(postmaster).children():
        try:
            info = child.memory_full_info()
        except psutil.Error:
            continue
        total += int(getattr(info, "pss", info.rss))
        count += 1
    return total, count


@dataclass
class _Opening:
    """Streams being opened: at most ``OPENING_AT_ONCE`` wait for their ``message.start``."""

    want: int
    gate: asyncio.Semaphore
    started: asyncio.Event
    count: int = 0

    def one_started(self) -> None:
        self.count += 1
        self.gate.release()
        if self.count >= self.want:
            self.started.set()


async def _hold(bench: Bench, opening: _Opening) -> None:
    url = f"/api/conversations/{bench.conversation}/messages"
    body = {"content": "idle", "model": f"anthropic/{IDLE_MODEL}", "parent_id": None}
    await opening.gate.acquire()
    async with bench.http.stream("POST", url, json=body) as response:
        buffer = ""
        async for chunk in response.aiter_text():
            events, buffer = _frames(buffer + chunk)
            if any(name == "message.start" for name, _ in events):
                opening.one_started()


async def _open(bench: Bench, count: int) -> list[asyncio.Task[None]]:
    """``count`` streams, opened as fast as the app starts them (a few dozen in flight), held
    until cancelled."""
    opening = _Opening(count, asyncio.Semaphore(OPENING_AT_ONCE), asyncio.Event())
    started = opening.started
    tasks = [asyncio.create_task(_hold(bench, opening)) for _ in range(count)]
    with contextlib.suppress(TimeoutError):  # reported as fewer held than asked
        await asyncio.wait_for(started.wait(), timeout=180)
    return tasks


async def _close(tasks: list[asyncio.Task[None]], app_pid: int) -> None:
    """Close the streams, then wait until the app has stored every answer (its CPU is quiet)."""
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    app = psutil.Process(app_pid)
    app.cpu_percent()
    for _ in range(120):
        await asyncio.sleep(0.5)
        if app.cpu_percent() < 5:
            return


async def _measure(stack: BenchStack, postmaster: int, n: int) -> IdleFigures:
    limits = httpx.Limits(max_connections=n + 64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=stack.app_url, timeout=300, limits=limits) as http:
        bench = Bench(stack, http)
        await bench.setup()
        await bench.scenario(model=IDLE_MODEL, ttft_ms=300_000)
        figures = IdleFigures(n)
        try:
            warm = await _open(bench, WARM_STREAMS)
            await asyncio.sleep(1.0)  # the provider's response too (the SDK imports lazily)
            await _close(warm, stack.app_pid)
            gc.collect()
            app0, (pg0, backends0) = _rss(stack.app_pid), _pg_memory(postmaster)
            tasks = await _open(bench, n)
            await asyncio.sleep(1.0)
            app1, (pg1, backends1) = _rss(stack.app_pid), _pg_memory(postmaster)
            figures.held = sum(1 for t in tasks if not t.done())
            figures.app_kib = (app1 - app0) / n / 1024
            figures.pg_kib = (pg1 - pg0) / n / 1024
            figures.pg_backends = (backends0, backends1)
            await _close(tasks, stack.app_pid)
        finally:
            await bench.sim.delete("/_simulator/scenario")
            await bench.aclose()
        return figures


def run_idle_streams(stack: BenchStack, postmaster: int, n: int) -> IdleFigures:
    """``n`` streams held at once on a fresh app process (outside any event loop)."""
    raise_open_files(n * 2 + 256)  # the client's sockets, and the app's (it inherits the limit)
    with extra_app(stack.settings) as (url, pid):
        fresh = BenchStack(url, stack.simulator_url, pid, stack.database_url, stack.settings)
        return asyncio.run(_measure(fresh, postmaster, n))


def idle_rows(f: IdleFigures) -> list[tuple[str, str, str, bool | None]]:
    """(metric, measured, target, met) rows for the chat table."""
    return [
        ("idle streams held at once (fresh process)", f"{f.held} / {f.streams}", "all",
         f.held == f.streams),
        ("memory per idle stream, app + PostgreSQL (KiB)",
         f"{f.app_kib:.1f} + {f.pg_kib:.1f} = {f.total_kib:.1f}", f"<= {TARGET_KIB}",
         f.held == f.streams and f.total_kib <= TARGET_KIB),
        ("PostgreSQL backends before / while held", "{} / {}".format(*f.pg_backends), "", None),
    ]  # fmt: skip
