"""``python -m bench --only profile``: where a chat request's time goes, for the next change.

Runs a tapped app (see :mod:`bench.versus`) under cProfile for a series of streamed requests,
one at a time, then prints each phase's database round trips by SQL and the top CPU
contributors, by package and by function.
"""

from __future__ import annotations

import pstats
import tempfile
from collections import defaultdict
from pathlib import Path

from bench.stack import bench_stack
from bench.timeline import run_timeline
from bench.versus import Tapped
from bench.versus_report import OURS, print_trips

TOP = 15
IDLE = {"<method 'poll' of 'select.epoll' objects>", "<method 'select' of 'select.epoll' objects>"}


def _package(filename: str) -> str:
    """The package a profiled function lives in: site-packages' top folder, or ours."""
    parts = Path(filename).parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].split(".")[0]
    for ours in ("workspace", "adapters"):
        if ours in parts:
            return f"{ours}.{parts[parts.index(ours) + 1].removesuffix('.py')}"
    if filename.startswith(("~", "<")):
        return "builtins"
    return "stdlib" if "python3" in filename else Path(filename).name


def print_profile(path: Path, requests: int) -> None:
    stats = pstats.Stats(str(path))
    # Waiting in epoll is the event loop idling, not CPU.
    raw = {k: v for k, v in stats.stats.items() if k[2] not in IDLE}  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values()) or 1.0
    by_package: dict[str, float] = defaultdict(float)
    for (filename, _line, _name), entry in raw.items():
        by_package[_package(filename)] += entry[2]
    print(
        f"\nCPU in the app process (cProfile, own time): {total / requests * 1000:.2f} ms/request"
    )
    for name, seconds in sorted(by_package.items(), key=lambda kv: -kv[1])[:TOP]:
        print(f"  {seconds / total:6.1%}  {seconds / requests * 1000:7.3f} ms  {name}")
    print(f"\ntop {TOP} functions by own time")
    ranked = sorted(raw.items(), key=lambda kv: -kv[1][2])[:TOP]
    for (filename, line, name), entry in ranked:
        where = f"{_package(filename)}:{Path(filename).name}:{line}"
        print(f"  {entry[2] / total:6.1%}  {entry[1]:7d} calls  {name}  ({where})")


def run_profile_bench(requests: int = 50) -> None:
    with bench_stack() as stack, tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "app.prof"
        trips = Tapped(stack, profile_to=out).run(requests)
        print(f"\nprofile of {requests} streamed requests per path, one at a time (hot process)")
        for path, where in OURS.items():
            print_trips(trips[path], where)
        if out.exists():
            print_profile(out, requests * len(OURS))
        else:
            print("\n(the app's profile was not written)")
    run_timeline()
