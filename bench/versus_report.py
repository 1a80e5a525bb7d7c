"""The figures of :mod:`bench.versus` and the table ``make bench`` prints from them."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

from bench.chat import _pct
from bench.peer import Peer


@dataclass
class Latency:
    """Seconds to the first token and to the end, one entry per round."""

    ttft: list[float]
    total: list[float]

    def p(self, q: float, which: str = "ttft") -> float:
        return _pct(getattr(self, which), q) * 1000


@dataclass
class Trips:
    """Database round trips of one request (SQL labels): before the provider call, during, after."""

    before: list[str]
    during: list[str]
    after: list[str]


@dataclass
class Burst:
    """One burst of a path: streams per second, server CPU ms per request, failed requests."""

    rate: float
    cpu_ms: float
    failed: list[str] = field(default_factory=list)


@dataclass
class Figures:
    peer: Peer | None
    latency: dict[str, Latency] = field(default_factory=dict)
    bursts: dict[str, tuple[float, float]] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    trips: dict[str, list[Trips]] = field(default_factory=dict)
    load: tuple[tuple[float, ...], tuple[float, ...]] = ((), ())

    def keep_burst(self, name: str, result: Burst) -> None:
        """Keep the better burst (more streams per second) of the runs that lost no request."""
        if result.failed:
            kinds = ", ".join(sorted(set(result.failed)))
            self.dropped.append(f"{name}: {len(result.failed)} request(s) failed ({kinds})")
        elif name not in self.bursts or result.rate > self.bursts[name][0]:
            self.bursts[name] = (result.rate, result.cpu_ms)

    def added(self, name: str, q: float, which: str) -> float | None:
        if name not in self.latency:
            return None
        return self.latency[name].p(q, which) - self.latency["direct"].p(q, which)


def _ratio(ours: float | None, theirs: float | None) -> float | None:
    if ours is None or theirs is None or theirs <= 0:
        return None
    return ours / theirs


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


Row = tuple[str, str, str, str, str, str, bool | None]


OURS = {"switchboard": "chat route", "gateway": "gateway /v1"}


def _latency_rows(f: Figures, path: str) -> list[Row]:
    rows: list[Row] = []
    for label, q, which, limit in (
        ("added TTFT p50 (ms)", 50, "ttft", 0.25),
        ("added TTFT p99 (ms)", 99, "ttft", 1 / 3),
        ("added total p50 (ms, to the end)", 50, "total", 0.25),
    ):
        ours, theirs = f.added(path, q, which), f.added("litellm", q, which)
        ratio = _ratio(ours, theirs)
        direct = f.latency["direct"].p(q, which)
        rows.append(
            (
                f"{label}, {OURS[path]}",
                f"({direct:.1f})",
                _fmt(theirs),
                _fmt(ours),
                _fmt(ratio, 3),
                f"<= {limit:.2f}x",
                None if ratio is None else ratio <= limit,
            )
        )
    return rows


def _burst_rows(f: Figures, path: str) -> list[Row]:
    sb, ll = f.bursts.get(path), f.bursts.get("litellm")
    rate = _ratio(sb[0] if sb else None, ll[0] if ll else None)
    cpu = _ratio(sb[1] if sb else None, ll[1] if ll else None)
    return [
        (
            f"streams/s at concurrency 32, {OURS[path]}",
            "",
            _fmt(ll[0] if ll else None),
            _fmt(sb[0] if sb else None),
            _fmt(rate, 3),
            ">= 3.00x",
            None if rate is None else rate >= 3,
        ),
        (
            f"server CPU per request (ms), {OURS[path]}",
            "",
            _fmt(ll[1] if ll else None),
            _fmt(sb[1] if sb else None) + " app+pg",
            _fmt(cpu, 3),
            "<= 0.33x",
            None if cpu is None else cpu <= 1 / 3,
        ),
    ]


def _trip_rows(f: Figures, path: str) -> list[Row]:
    trips = f.trips.get(path)
    if not trips:
        return []
    med = {
        phase: statistics.median(len(getattr(t, phase)) for t in trips)
        for phase in ("before", "during", "after")
    }
    where = OURS[path]
    return [
        (f"DB round trips before the provider call, {where}", "", "", f"{med['before']:g}", "",
         "<= 4", med["before"] <= 4),
        (f"DB round trips while streaming, {where}", "", "", f"{med['during']:g}", "", "", None),
        (f"DB round trips after the last chunk, {where}", "", "", f"{med['after']:g}", "",
         "<= 2", med["after"] <= 2),
    ]  # fmt: skip


def print_table(f: Figures, rounds: int) -> None:
    """The side-by-side table, then what the load was."""
    peer = f"LiteLLM {f.peer.version}" if f.peer else "LiteLLM (unavailable)"
    print(f"\nSwitchboard vs {peer}, {rounds} interleaved rounds, 8-chunk stream\n")
    header: Row = ("metric", "direct", "LiteLLM", "Switchboard", "ratio", "target", None)
    rows = [header]
    for path in OURS:
        if path in f.latency:
            rows += [*_latency_rows(f, path), *_burst_rows(f, path), *_trip_rows(f, path)]
    widths = [max(len(str(r[i])) for r in rows) for i in range(6)]
    for r in rows:
        met = "met" if r[6] else ("MISSED" if r[6] is False else "")
        cells = [
            r[0].ljust(widths[0]),
            *(c.rjust(w) for c, w in zip(r[1:6], widths[1:], strict=True)),
        ]
        print("  ".join(cells), met if r is not header else "")
    print(
        "\nRound trips are counted on the wire with the provider taking 25 ms to its first token"
        " (bench.versus.COUNTED_TTFT_MS), so the request's own writes count as 'while streaming'."
    )
    for dropped in f.dropped:
        print(f"a burst left out, {dropped}")
    print(f"load average before {f.load[0]}, after {f.load[1]}")


def print_trips(trips: list[Trips], where: str) -> None:
    """Each phase's round trips by SQL, averaged over the requests (the profile's first part)."""
    print(f"\n== {where}")
    for phase in ("before", "during", "after"):
        counts = Counter(label for t in trips for label in getattr(t, phase))
        per = sum(counts.values()) / max(1, len(trips))
        print(f"\n{phase} the provider call: {per:.1f} round trips per request")
        for label, n in counts.most_common():
            print(f"  {n / len(trips):5.1f}  {label}")
