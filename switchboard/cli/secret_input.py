"""Reading a secret without it reaching the shell history: a hidden prompt in a terminal,
the first line of standard input otherwise (``--key-stdin`` and pipes)."""

from __future__ import annotations

import sys

import click


def read_secret(prompt: str, *, from_stdin: bool = False) -> str:
    if from_stdin or not sys.stdin.isatty():
        value = sys.stdin.readline().strip()
    else:
        value = str(click.prompt(prompt, hide_input=True, err=True)).strip()
    if not value:
        raise click.UsageError("No key read: type it at the prompt or pipe it on standard input.")
    return value
