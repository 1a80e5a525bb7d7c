"""Terminal output: rich when standard output is a terminal, plain text when piped. Nothing
printed here ever holds a key or token: callers pass fingerprints."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import NoReturn

import click
from rich.console import Console
from rich.table import Table

from switchboard.client import SwitchboardError

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)


def is_tty() -> bool:
    return sys.stdout.isatty()


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Rows as a rich table in a terminal, tab-separated lines when piped."""
    if not is_tty():
        click.echo("\t".join(headers))
        for row in rows:
            click.echo("\t".join(row))
        return
    grid = Table(*headers, show_edge=False, header_style="bold")
    for row in rows:
        grid.add_row(*row)
    console.print(grid)


def fail(error: SwitchboardError) -> NoReturn:
    """Say what went wrong (the server's code and sentence) and exit 1."""
    click.echo(f"error: {error.detail} [{error.code}]", err=True)
    raise SystemExit(1)
