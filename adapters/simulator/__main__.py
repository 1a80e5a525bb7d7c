"""``python -m adapters.simulator --port N``: run the provider simulator in the foreground."""

from __future__ import annotations

import argparse

from adapters.simulator.server import run


def main(argv: list[str] | None = None) -> None:
    """Parse ``--host``/``--port`` and serve until interrupted."""
    parser = argparse.ArgumentParser(description="Switchboard provider simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    run(args.host, args.port, args.log_level)


if __name__ == "__main__":
    main()
