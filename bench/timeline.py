"""The critical path to a first token, for ``python -m bench --only profile``.

cProfile says where CPU goes, not which of it a user waits for: at one request at a time, the
time to the first token is the chain request -> access read -> provider request -> provider's
first event -> first answer bytes, and work done while the provider thinks is free. A second
app process (no profiler: it distorts timings) stamps each step of every request with
``perf_counter``, through wrappers around the pinned libraries' own methods (uvicorn's request
cycle, asyncpg's execute, aiohttp's request and response); the benchmark prints each step's
p50 offset from the request's arrival.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from bench.chat import Bench
from bench.stack import BenchStack, bench_stack, extra_app, serve_watched
from bench.versus import stream_paths
from workspace.config.settings import Settings

Record = dict[str, float | str]
ARRIVED = "request headers in"
STEPS = (
    ARRIVED,
    "1st statement sent",
    "1st statement answered",
    "provider request written",
    "2nd statement sent",
    "provider headers in",
    "2nd statement answered",
    "first provider event",
    "first answer bytes written",
)
LAST = STEPS[-1]
WHERE = {"switchboard": "chat route", "gateway": "gateway /v1"}


class _Marks:
    """The request in flight (one at a time) and the time of each step, first occurrence."""

    def __init__(self) -> None:
        self.records: list[Record] = []
        self.current: Record | None = None
        self.statements = 0

    def start(self, path: str) -> None:
        self.current = {"path": path, ARRIVED: time.perf_counter()}
        self.records.append(self.current)
        self.statements = 0

    def mark(self, step: str) -> None:
        if self.current is not None:
            self.current.setdefault(step, time.perf_counter())


def _after(owner: Any, name: str, on_done: Callable[[Any, tuple[Any, ...]], None]) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    async def wrapped(*args: Any, **kwargs: Any) -> Any:
        result = await original(*args, **kwargs)
        on_done(result, args)
        return result

    setattr(owner, name, wrapped)


def _install(marks: _Marks) -> None:
    """Wrap the steps' methods (uvicorn's httptools cycle, asyncpg, aiohttp, the prefetch)."""
    import aiohttp
    import asyncpg.connection
    from uvicorn.protocols.http import httptools_impl

    from workspace.calls.prefetch import Prefetch

    cycle = httptools_impl.RequestResponseCycle
    init = cycle.__init__

    def new_cycle(self: Any, scope: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        marks.start(scope["path"])
        init(self, scope, *args, **kwargs)

    cycle.__init__ = new_cycle  # type: ignore[method-assign]
    send = cycle.send

    async def sent(self: Any, message: dict[str, Any]) -> None:
        await send(self, message)
        record = marks.current
        if record and message["type"] == "http.response.body" and "first provider event" in record:
            marks.mark("first answer bytes written")

    cycle.send = sent  # type: ignore[method-assign]
    execute = asyncpg.connection.Connection._execute

    async def statement(self: Any, *args: Any, **kwargs: Any) -> Any:
        marks.statements += 1
        nth = {1: "1st", 2: "2nd"}.get(marks.statements)
        if nth:
            marks.mark(f"{nth} statement sent")
        try:
            return await execute(self, *args, **kwargs)
        finally:
            if nth:
                marks.mark(f"{nth} statement answered")

    asyncpg.connection.Connection._execute = statement  # type: ignore[method-assign]
    _after(aiohttp.ClientRequest, "send", lambda *_: marks.mark("provider request written"))
    _after(aiohttp.ClientResponse, "start", lambda *_: marks.mark("provider headers in"))
    put = Prefetch._put

    def event(self: Prefetch, item: object) -> None:
        marks.mark("first provider event")
        put(self, item)

    Prefetch._put = event  # type: ignore[method-assign]


def serve_with_timeline(settings: Settings, out: Path) -> None:
    """Serve with the steps stamped; on ``<out>.stop``, write the records to ``out`` and stop."""
    marks = _Marks()
    _install(marks)

    async def watch(server: Any) -> None:
        while not out.with_suffix(".stop").exists():
            await asyncio.sleep(0.1)
        out.write_text(json.dumps(marks.records))
        server.should_exit = True

    serve_watched(settings, watch)


async def _requests(stack: BenchStack, requests: int) -> None:
    """``requests`` streams per path, one path after the other, after a warm-up."""
    async with httpx.AsyncClient(base_url=stack.app_url, timeout=60) as http:
        bench = Bench(stack, http)
        await bench.setup()
        await bench.sim.delete("/_simulator/scenario")  # the plain 8-chunk stream
        paths: dict[str, Callable[[], Awaitable[Any]]] = stream_paths(bench, with_direct=False)
        for _ in range(30):
            for run in paths.values():
                await run()
        for run in paths.values():
            for _ in range(requests):
                await run()
        await bench.aclose()


def _print(records: list[Record], requests: int) -> None:
    by_path = {
        "switchboard": [r for r in records if "/api/conversations/" in str(r["path"])],
        "gateway": [r for r in records if r["path"] == "/v1/chat/completions"],
    }
    print(f"\ncritical path to the first token, {requests} requests per path, one at a time")
    print("(p50 ms after the request's headers arrived, in that order; + the step's own share)")
    for name, rows in by_path.items():
        rows = rows[-requests:]
        at: dict[str, float] = {}
        for step in STEPS:
            offsets = [(float(r[step]) - float(r[ARRIVED])) * 1000 for r in rows if step in r]
            if len(offsets) > len(rows) // 2:  # a step most requests take
                at[step] = statistics.median(offsets)
        print(f"\n== {WHERE[name]}")
        previous = 0.0
        for step, offset in sorted(at.items(), key=lambda kv: kv[1]):
            if offset > at.get(LAST, offset):
                break  # after the first token: not on its path
            print(f"  {offset:6.2f}  +{offset - previous:5.2f}  {step}")
            previous = offset


def run_timeline(requests: int = 100) -> None:
    with bench_stack() as stack, tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "timeline.json"
        with extra_app(stack.settings, timeline_to=out) as (url, _pid):
            asyncio.run(_requests(dataclasses.replace(stack, app_url=url), requests))
        if out.exists():
            _print(json.loads(out.read_text()), requests)
        else:
            print("\n(the app's timeline was not written)")
