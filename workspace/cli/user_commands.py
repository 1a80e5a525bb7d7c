"""The commands for people (``login``, ``keys``, ``chat``, ``compare``, ``doctor``) on the
``switchboard`` group: they live in the ``switchboard`` package (:mod:`switchboard.cli`), which
a user can install and import without the server; ``doctor`` gets the server's checks here."""

from __future__ import annotations

import click


def add_user_commands(group: click.Group) -> None:
    """Add them to ``group``. An environment installed before ``switchboard/`` was packaged
    cannot import it; the server's commands must still work there (``make venv`` fixes it)."""
    try:
        from switchboard.cli import user_commands
    except ModuleNotFoundError as exc:
        if exc.name != "switchboard":
            raise
        return
    from workspace.cli.server_doctor import doctor

    for command in [*user_commands(), doctor]:
        group.add_command(command)
