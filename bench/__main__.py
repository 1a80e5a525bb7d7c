"""``python -m bench``: run every benchmark and print its table."""

from __future__ import annotations

import argparse

from bench.attachments import run_attachments_bench
from bench.chat import run_chat_bench
from bench.pages import run_pages_bench
from bench.profile import run_profile_bench
from bench.search import run_search_bench
from bench.versus import run_versus_bench


def main() -> None:
    parser = argparse.ArgumentParser(description="Switchboard benchmarks")
    parser.add_argument("--rounds", type=int, default=200, help="interleaved latency rounds")
    parser.add_argument(
        "--idle-streams",
        type=int,
        default=1000,
        help="slow streams held at once (fresh app process)",
    )
    parser.add_argument(
        "--only",
        choices=["versus", "chat", "pages", "search", "attachments", "profile"],
        help="run one benchmark",
    )
    parser.add_argument("--burst", type=int, default=256, help="requests per concurrency burst")
    args = parser.parse_args()
    if args.only in (None, "versus"):
        run_versus_bench(rounds=args.rounds, burst_size=args.burst)
    if args.only in (None, "chat"):
        run_chat_bench(rounds=args.rounds, idle_streams=args.idle_streams)
    if args.only in (None, "pages"):
        run_pages_bench()
    if args.only in (None, "search"):
        run_search_bench()
    if args.only in (None, "attachments"):
        run_attachments_bench()
    if args.only in (None, "profile"):
        run_profile_bench()


if __name__ == "__main__":
    main()
