"""``python -m bench``: run every benchmark and print its table."""

from __future__ import annotations

import argparse

from bench.chat import run_chat_bench


def main() -> None:
    parser = argparse.ArgumentParser(description="Switchboard benchmarks")
    parser.add_argument("--rounds", type=int, default=200, help="interleaved latency rounds")
    parser.add_argument("--idle-streams", type=int, default=200, help="slow streams held at once")
    args = parser.parse_args()
    run_chat_bench(rounds=args.rounds, idle_streams=args.idle_streams)


if __name__ == "__main__":
    main()
