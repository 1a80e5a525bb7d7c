"""Switchboard against LiteLLM proxy, side by side, against the same simulator (issue 14's table).

Three paths to the same 8-chunk stream, interleaved round by round so drift hits each alike:
*direct* (the ``openai`` SDK to the simulator, the baseline), *LiteLLM* (the same SDK through the
pinned proxy, one worker, no database) and *Switchboard* (the chat route, to ``message.end``).
Added latency is a path's median minus direct's. Throughput and CPU come from a burst at
concurrency 32 per path; CPU is the server's (app + PostgreSQL for Switchboard, the proxy's
process tree for LiteLLM) over the burst, divided by its requests. Database round trips are
counted on the wire by a second app process whose PostgreSQL and provider connections go
through :mod:`bench.wiretap`.

Targets are printed with met / missed; they are never asserted by tests.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

import httpx
import openai
import psutil

from bench.chat import KEYS, Bench, Timing
from bench.peer import Peer, litellm_proxy
from bench.stack import BenchStack, bench_stack, extra_app
from bench.versus_report import Burst, Figures, Latency, Trips, print_table
from bench.wiretap import Tap, wiretap
from workspace.cli.demo import simulator_settings

MODEL = "gpt-4o"
CONCURRENCY = 32
COUNTED_TTFT_MS = 25


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its children."""
    root = psutil.Process(pid)
    total = 0.0
    for proc in [root, *root.children(recursive=True)]:
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            continue
    return total


def _socket_dir(database_url: str) -> str:
    """The embedded PostgreSQL's socket directory (its URL names it as ``?host=``)."""
    return parse_qs(urlsplit(database_url).query)["host"][0]


def _postmaster_pid(database_url: str) -> int:
    """The benchmark's postmaster: the one whose postmaster.pid names its socket directory."""
    socket_dir = _socket_dir(database_url)
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmd = proc.info.get("cmdline") or []
        if proc.info.get("name") == "postgres" and "-D" in cmd:
            pid_file = Path(cmd[cmd.index("-D") + 1]) / "postmaster.pid"
            if pid_file.exists() and socket_dir in pid_file.read_text():
                return int(proc.pid)
    raise RuntimeError("the benchmark's PostgreSQL was not found")


async def burst(run: Callable[[], Awaitable[object]], n: int, pids: list[int]) -> Burst:
    """``n`` requests at concurrency 32: streams per second, server CPU ms per request.

    A request the server drops (LiteLLM does, now and then, under a first burst) is counted,
    not raised: the table leaves that burst out and says so, instead of losing the whole run.
    """
    gate = asyncio.Semaphore(CONCURRENCY)
    failed: list[str] = []

    async def one() -> None:
        async with gate:
            try:
                await run()
            except (openai.APIError, httpx.HTTPError) as exc:
                failed.append(type(exc).__name__)

    cpu0 = sum(_tree_cpu(p) for p in pids)
    start = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(n)))
    wall = time.perf_counter() - start
    cpu = sum(_tree_cpu(p) for p in pids) - cpu0
    return Burst(n / wall, cpu / n * 1000, failed)


def _relay_url(database_url: str, port: int) -> str:
    """The database URL with the Unix socket replaced by the relay's TCP port."""
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(netloc=f"postgres@127.0.0.1:{port}", query=""))


async def count_trips(
    stack: BenchStack, db: Tap, sim: Tap, requests: int, warm: Path | None = None
) -> dict[str, list[Trips]]:
    """Round trips of ``requests`` requests per path (chat route, gateway), one at a time.

    ``warm`` is a file created once the app is warm (it starts the profiler, if any).
    """
    async with httpx.AsyncClient(base_url=stack.app_url, timeout=60) as http:
        bench = Bench(stack, http)
        await bench.setup()
        paths = stream_paths(bench, with_direct=False)
        # A provider that takes a moment before its first token (any real one takes 100s of
        # ms): the request's own writes, made while the provider works, count as "while
        # streaming" rather than "after the last chunk" as they would against an instant one.
        await bench.scenario(model=MODEL, ttft_ms=COUNTED_TTFT_MS)
        for _ in range(10):  # warm caches and pools first: the counts are for a hot process
            for run in paths.values():
                await run()
        await asyncio.sleep(0.5)
        if warm is not None:
            warm.touch()
            await asyncio.sleep(0.3)
        out: dict[str, list[Trips]] = {name: [] for name in paths}
        for _ in range(requests):
            for name, run in paths.items():
                t0 = time.time()
                await run()
                await asyncio.sleep(0.3)  # writes the app defers past the response still count
                t_end = time.time()
                call = sim.first_flight_after(t0) or t_end
                last = sim.last_reply_before(t_end) or call
                out[name].append(
                    Trips(
                        db.flights_between(t0, call),
                        db.flights_between(call, last),
                        db.flights_between(last, t_end),
                    )
                )
        await bench.sim.delete("/_simulator/scenario")
        await bench.aclose()
        return out


def stream_paths(
    bench: Bench, *, with_direct: bool = True
) -> dict[str, Callable[[], Awaitable[Timing]]]:
    """The ways to the same stream: the simulator itself, the chat route, the /v1 gateway."""
    paths: dict[str, Callable[[], Awaitable[Timing]]] = {}
    if with_direct:
        paths["direct"] = lambda: bench.direct(MODEL)
    paths["switchboard"] = lambda: bench.switchboard(f"openai/{MODEL}")
    paths["gateway"] = lambda: bench.direct(f"openai/{MODEL}", bench.gateway_sdk)
    return paths


class Tapped:
    """A second app whose PostgreSQL and provider connections go through wire taps."""

    def __init__(self, stack: BenchStack, profile_to: Path | None = None) -> None:
        self.stack = stack
        self.profile_to = profile_to

    def run(self, requests: int) -> dict[str, list[Trips]]:
        sockets = sorted(Path(_socket_dir(self.stack.database_url)).glob(".s.PGSQL.*[0-9]"))
        sim = urlsplit(self.stack.simulator_url)
        if not (sockets and sim.hostname and sim.port):
            raise RuntimeError("the benchmark's PostgreSQL socket or simulator port is missing")
        with (
            wiretap(str(sockets[0]), postgres=True) as (db_port, db_tap),
            wiretap((sim.hostname, sim.port)) as (sim_port, sim_tap),
        ):
            settings = simulator_settings(
                self.stack.settings.model_copy(
                    update={"database_url": _relay_url(self.stack.database_url, db_port)}
                ),
                f"http://127.0.0.1:{sim_port}",
            )
            with extra_app(settings, self.profile_to) as (url, pid):
                tapped = BenchStack(
                    url, self.stack.simulator_url, pid, self.stack.database_url, settings
                )
                warm = self.profile_to.with_suffix(".start") if self.profile_to else None
                return asyncio.run(count_trips(tapped, db_tap, sim_tap, requests, warm))


async def latency_rounds(
    bench: Bench, peer_sdk: openai.AsyncOpenAI | None, rounds: int
) -> dict[str, Latency]:
    """Interleaved rounds; the order rotates so no path always goes first."""
    paths = stream_paths(bench)
    if peer_sdk is not None:
        paths["litellm"] = lambda: bench.direct(MODEL, peer_sdk)
    for _ in range(20):
        for run in paths.values():
            await run()
    names = list(paths)
    out = {name: Latency([], []) for name in names}
    for i in range(rounds):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            timing = await paths[name]()
            out[name].ttft.append(timing.ttft)
            out[name].total.append(timing.total)
    return out


def run_versus_bench(*, rounds: int, burst_size: int) -> None:
    """``make bench``'s first table: direct / LiteLLM / Switchboard / ratio."""
    load = psutil.getloadavg()
    with bench_stack() as stack, litellm_proxy(stack.simulator_url, KEYS["openai"]) as peer:
        figures = asyncio.run(_measure(stack, peer, rounds, burst_size))
        figures.trips = Tapped(stack).run(10)
    figures.load = (load, psutil.getloadavg())
    print_table(figures, rounds)


async def _measure(stack: BenchStack, peer: Peer | None, rounds: int, size: int) -> Figures:
    limits = httpx.Limits(
        max_connections=CONCURRENCY * 2, max_keepalive_connections=CONCURRENCY * 2
    )
    async with httpx.AsyncClient(base_url=stack.app_url, timeout=180, limits=limits) as http:
        bench = Bench(stack, http)
        await bench.setup()
        await bench.sim.delete("/_simulator/scenario")
        peer_sdk = (
            openai.AsyncOpenAI(base_url=f"{peer.url}/v1", api_key=peer.key, max_retries=0)
            if peer
            else None
        )
        figures = Figures(peer=peer)
        figures.latency = await latency_rounds(bench, peer_sdk, rounds)
        pg = _postmaster_pid(stack.database_url)
        ours = stream_paths(bench, with_direct=False)
        for _ in range(2):  # two bursts each, alternating; the better of the two is kept
            for name, run in ours.items():
                figures.keep_burst(name, await burst(run, size, [stack.app_pid, pg]))
            if peer_sdk is not None and peer is not None:
                figures.keep_burst(
                    "litellm",
                    await burst(lambda: bench.direct(MODEL, peer_sdk), size, [peer.pid]),
                )
        await bench.aclose()  # the SDK clients too: closed after the loop, they complain
        if peer_sdk is not None:
            await peer_sdk.close()
        return figures
