"""``python -m adapters.simulator --port N [--style prose]``: serve in the foreground."""

from __future__ import annotations

import argparse
from typing import get_args

from adapters.simulator.server import run
from adapters.simulator.state import ReplyStyle


def main(argv: list[str] | None = None) -> None:
    """Parse ``--host``/``--port``/``--style`` and serve until interrupted."""
    parser = argparse.ArgumentParser(description="Switchboard provider simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--log-level", default="info")
    parser.add_argument(
        "--style",
        choices=get_args(ReplyStyle),
        default="describe",
        help="reply style: describe (a context report, for tests) or prose (answers, for demos)",
    )
    args = parser.parse_args(argv)
    run(args.host, args.port, args.log_level, args.style)


if __name__ == "__main__":
    main()
