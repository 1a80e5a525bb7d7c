"""Chat streaming through Switchboard against streaming from the simulator directly.

Baseline: the same simulator streamed with the ``openai`` SDK (what the OpenAI adapter uses),
measured in the same run, interleaved round by round so drift hits every side alike. Added
latency is the difference of the medians. The gateway (``/v1/chat/completions``, the same SDK
pointed at Switchboard with a workspace token) is measured in the same rounds, next to the chat
route.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import openai

from bench.stack import BenchStack, bench_stack

KEYS = {
    "openai": "sk-bench-openai-000000001",
    "anthropic": "sk-ant-bench-0000000002",
    "gemini": "AIza-bench-000000000003",
    "groq": "gsk_bench_0000000000004",
}
LATENCY_MODEL = "gpt-4o"
GAP_MODEL = "gpt-4o-mini"
GAP_INTERVAL_MS = 50
COMPARE_ROUNDS = 9
COMPARE_TARGET = 1.05  # issue 14: compare wall time <= 1.05x the slowest lane
COMPARE_TTFT_MS = {
    "openai/gpt-4o": 100,
    "openai/gpt-4o-mini": 200,
    "anthropic/claude-sonnet-4-6": 300,
    "gemini/gemini-2.5-flash": 400,
    "groq/llama-3.3-70b-versatile": 500,
    "openai/gpt-4.1": 600,
}


@dataclass
class Timing:
    ttft: float = 0.0
    total: float = 0.0
    arrivals: list[float] = field(default_factory=list)

    @property
    def gaps(self) -> list[float]:
        return [b - a for a, b in zip(self.arrivals, self.arrivals[1:], strict=False)]


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _frames(buffer: str) -> tuple[list[tuple[str, dict[str, Any]]], str]:
    buffer = buffer.replace("\r\n", "\n")
    out = []
    while "\n\n" in buffer:
        frame, buffer = buffer.split("\n\n", 1)
        name, data = "", ""
        for line in frame.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data += line[5:].strip()
        if data:
            out.append((name, json.loads(data)))
    return out, buffer


class Bench:
    def __init__(self, stack: BenchStack, http: httpx.AsyncClient) -> None:
        self.stack = stack
        self.http = http
        self.sim = httpx.AsyncClient(base_url=stack.simulator_url, timeout=60)
        self.sdk = openai.AsyncOpenAI(
            base_url=f"{stack.simulator_url}/v1", api_key=KEYS["openai"], max_retries=0
        )
        self.conversation = ""
        self.gateway_sdk: openai.AsyncOpenAI | None = None

    async def setup(self) -> None:
        email = f"bench-{time.time_ns()}@example.test"
        resp = await self.http.post(
            "/api/auth/signup",
            json={"email": email, "password": "bench password 123", "name": "bench"},
        )
        resp.raise_for_status()
        self.http.headers["X-CSRF-Token"] = resp.json()["csrf_token"]
        ws = (await self.http.post("/api/workspaces", json={"name": "Bench"})).json()["id"]
        for provider, secret in KEYS.items():
            added = await self.http.post(
                f"/api/workspaces/{ws}/credentials", json={"provider": provider, "secret": secret}
            )
            added.raise_for_status()
        created = await self.http.post(f"/api/workspaces/{ws}/conversations", json={"title": "b"})
        self.conversation = created.json()["id"]
        token = await self.http.post(f"/api/workspaces/{ws}/tokens", json={"name": "bench"})
        token.raise_for_status()
        self.gateway_sdk = openai.AsyncOpenAI(
            base_url=f"{self.stack.app_url}/v1", api_key=token.json()["token"], max_retries=0
        )

    async def aclose(self) -> None:
        """Close the clients this bench opened (before their event loop ends)."""
        await self.sim.aclose()
        await self.sdk.close()
        if self.gateway_sdk is not None:
            await self.gateway_sdk.close()

    async def scenario(self, **fields: Any) -> None:
        (await self.sim.post("/_simulator/scenario", json=fields)).raise_for_status()

    async def direct(self, model: str, sdk: openai.AsyncOpenAI | None = None) -> Timing:
        """Streamed with the ``openai`` SDK: from the simulator, or (``sdk``) the gateway."""
        timing, start = Timing(), time.perf_counter()
        stream = await (sdk or self.sdk).chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": "bench"}],
            stream=True,
            stream_options={"include_usage": True},
        )
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                now = time.perf_counter() - start
                timing.ttft = timing.ttft or now
                timing.arrivals.append(now)
        timing.total = time.perf_counter() - start
        return timing

    async def switchboard(self, model: str, path: str = "messages", **body: Any) -> Timing:
        timing, start = Timing(), time.perf_counter()
        payload = {"content": "bench", "parent_id": None, **body}
        if path == "messages":
            payload["model"] = model
        url = f"/api/conversations/{self.conversation}/{path}"
        async with self.http.stream("POST", url, json=payload) as response:
            if response.status_code != 200:
                raise RuntimeError((await response.aread()).decode())
            buffer = ""
            async for chunk in response.aiter_text():
                events, buffer = _frames(buffer + chunk)
                for name, _ in events:
                    if name == "delta":
                        now = time.perf_counter() - start
                        timing.ttft = timing.ttft or now
                        timing.arrivals.append(now)
        timing.total = time.perf_counter() - start
        return timing


def run_chat_bench(*, rounds: int, idle_streams: int) -> None:
    """Start the stack (outside any event loop: migrations run their own), then measure; the
    idle streams last, on a fresh app process (:mod:`bench.idle`)."""
    from bench.idle import idle_rows, run_idle_streams
    from bench.versus import _postmaster_pid

    with bench_stack() as stack:
        rows = asyncio.run(_measure(stack, rounds=rounds))
        idle = run_idle_streams(stack, _postmaster_pid(stack.database_url), idle_streams)
    _print(rows + idle_rows(idle), rounds)


Row = tuple[str, str, str, bool | None]


async def _measure(stack: BenchStack, *, rounds: int) -> list[Row]:
    if True:
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
        async with httpx.AsyncClient(base_url=stack.app_url, timeout=180, limits=limits) as http:
            bench = Bench(stack, http)
            await bench.setup()
            await bench.sim.delete("/_simulator/scenario")
            model_ref = f"openai/{LATENCY_MODEL}"

            direct: list[Timing] = []
            through: list[Timing] = []
            gateway: list[Timing] = []
            sides = [
                (direct, lambda: bench.direct(LATENCY_MODEL)),
                (through, lambda: bench.switchboard(model_ref)),
                (gateway, lambda: bench.direct(model_ref, bench.gateway_sdk)),
            ]
            for _ in range(20):  # warm-up
                for _, measure in sides:
                    await measure()
            for i in range(rounds):
                for results, measure in sides[i % 3 :] + sides[: i % 3]:
                    results.append(await measure())

            await bench.scenario(model=GAP_MODEL, interval_ms=GAP_INTERVAL_MS, chunks=10)
            gap_direct = [g for _ in range(5) for g in (await bench.direct(GAP_MODEL)).gaps]
            gap_through = [
                g for _ in range(5) for g in (await bench.switchboard(f"openai/{GAP_MODEL}")).gaps
            ]
            await bench.sim.delete("/_simulator/scenario")

            for ref, ttft in COMPARE_TTFT_MS.items():
                await bench.scenario(model=ref.split("/", 1)[1], ttft_ms=ttft)
            slowest = max(COMPARE_TTFT_MS, key=lambda r: COMPARE_TTFT_MS[r])
            slow_direct, compare_wall = [], []
            for _ in range(2):  # warm-up: every provider's client and connection
                await bench.switchboard("", path="compare", models=list(COMPARE_TTFT_MS))
            for _ in range(COMPARE_ROUNDS):
                slow_direct.append((await bench.direct(slowest.split("/", 1)[1])).total)
                compare_wall.append(
                    (
                        await bench.switchboard("", path="compare", models=list(COMPARE_TTFT_MS))
                    ).total
                )
            await bench.sim.delete("/_simulator/scenario")
            await bench.aclose()

    def p(values: list[float], q: float) -> float:
        return _pct(values, q) * 1000

    d_ttft, s_ttft = [t.ttft for t in direct], [t.ttft for t in through]
    d_total, s_total = [t.total for t in direct], [t.total for t in through]
    added_ttft = p(s_ttft, 50) - p(d_ttft, 50)
    added_total = p(s_total, 50) - p(d_total, 50)
    g_ttft, g_total = [t.ttft for t in gateway], [t.total for t in gateway]
    gateway_ttft, gateway_total = p(g_ttft, 50) - p(d_ttft, 50), p(g_total, 50) - p(d_total, 50)
    ratio = statistics.median(compare_wall) / statistics.median(slow_direct)
    rows: list[Row] = [
        ("TTFT direct p50 / p99 (ms)", f"{p(d_ttft, 50):.2f} / {p(d_ttft, 99):.2f}", "", None),
        ("TTFT Switchboard p50 / p99 (ms)", f"{p(s_ttft, 50):.2f} / {p(s_ttft, 99):.2f}", "", None),
        ("added p50 TTFT (ms)", f"{added_ttft:.2f}", "< 4", added_ttft < 4),
        ("total direct p50 / p99 (ms)", f"{p(d_total, 50):.2f} / {p(d_total, 99):.2f}", "", None),
        (
            "total Switchboard p50 / p99 (ms)",
            f"{p(s_total, 50):.2f} / {p(s_total, 99):.2f}",
            "",
            None,
        ),
        ("added p50 total, concurrency 1 (ms)", f"{added_total:.2f}", "< 4", added_total < 4),
        ("TTFT gateway /v1 p50 / p99 (ms)", f"{p(g_ttft, 50):.2f} / {p(g_ttft, 99):.2f}", "", None),
        ("added p50 TTFT, gateway /v1 (ms)", f"{gateway_ttft:.2f}", "< 4", gateway_ttft < 4),
        (
            "total gateway /v1 p50 / p99 (ms)",
            f"{p(g_total, 50):.2f} / {p(g_total, 99):.2f}",
            "",
            None,
        ),
        ("added p50 total, gateway /v1 (ms)", f"{gateway_total:.2f}", "< 4", gateway_total < 4),
        (
            f"inter-chunk gap p50 direct / Switchboard (ms, scenario {GAP_INTERVAL_MS})",
            f"{p(gap_direct, 50):.1f} / {p(gap_through, 50):.1f}",
            "preserved",
            abs(p(gap_through, 50) - p(gap_direct, 50)) < GAP_INTERVAL_MS * 0.2,
        ),
        (
            "compare wall, 6 lanes / slowest lane direct",
            f"{statistics.median(compare_wall) * 1000:.0f} / "
            f"{statistics.median(slow_direct) * 1000:.0f} ms = {ratio:.3f}x",
            f"<= {COMPARE_TARGET}x",
            ratio <= COMPARE_TARGET,
        ),
    ]
    return rows


def _print(rows: list[Row], rounds: int) -> None:
    """The table, as :mod:`bench.versus_report` prints its own: target, then met / MISSED."""
    widths = [
        max(len(r[i]) for r in [("metric", "measured", "target", None), *rows]) for i in (0, 1, 2)
    ]
    print(f"\nSwitchboard chat benchmark ({rounds} interleaved rounds)\n")
    print(
        f"{'metric'.ljust(widths[0])}  {'measured'.rjust(widths[1])}  {'target'.rjust(widths[2])}"
    )
    for name, value, target, met in rows:
        verdict = "" if met is None else ("met" if met else "MISSED")
        cells = (name.ljust(widths[0]), value.rjust(widths[1]), target.rjust(widths[2]), verdict)
        print("  ".join(cells))
