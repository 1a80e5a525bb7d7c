"""The ``switchboard`` commands for people, built on :mod:`switchboard.client`: ``login``,
``keys`` (set, use, model, status, remove), ``chat``, ``compare`` and the client half of
``doctor``. They join the server's ``switchboard`` group (``workspace/cli/commands.py``)."""

from __future__ import annotations

import click

from switchboard.cli.chat import chat, compare
from switchboard.cli.keys import keys
from switchboard.cli.login import login


def user_commands() -> list[click.Command]:
    """The commands to add to the ``switchboard`` group (``doctor`` is added by the server's
    side, which can add its own checks)."""
    return [login, keys, chat, compare]


__all__ = ["user_commands"]
