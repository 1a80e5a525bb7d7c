"""``switchboard run``: serve the app until Ctrl-C or SIGTERM, then stop what this process started.

SIGTERM is what ``docker stop``, systemd and Kubernetes send. uvicorn handles it gracefully (no
new connections; open streams get ``shutdown_grace_s`` to finish, then are cancelled) and then
re-raises it, which by default would kill the process before the embedded PostgreSQL and OpenBao
are stopped. So SIGTERM is turned into :class:`Terminated`, an exception that unwinds every
``finally`` like Ctrl-C's KeyboardInterrupt does, whether it arrives while serving or during the
start-up of the embedded services.
"""

from __future__ import annotations

import asyncio
import math
import signal
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from types import FrameType

import click

from workspace.cli.embedded.stack import LocalServices, local_services
from workspace.config.settings import Settings


class Terminated(Exception):
    """SIGTERM arrived: unwind and stop what was started."""


def _raise_terminated(_sig: int, _frame: FrameType | None) -> None:
    # A second SIGTERM must not interrupt the clean-up the first one started.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Terminated


@contextmanager
def sigterm_unwinds() -> Iterator[None]:
    """While the block runs, SIGTERM raises :class:`Terminated` in the main thread."""
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def banner(settings: Settings, services: LocalServices, login: tuple[str, str] | None) -> str:
    """What the operator reads at start: where, how to sign in, what stops with the process."""
    lines = [f"\n  Switchboard is starting at {settings.resolved_public_url}"]
    if login is not None:
        lines.append(
            "  Offline demo: every provider is the local simulator (no internet, no cost)."
        )
        lines.append(f"  Sign in as {login[0]} with password {login[1]}")
    else:
        lines.append("  Create the first account at /signup.")
    started = [
        name
        for name, handle in (("PostgreSQL", services.postgres), ("OpenBao", services.openbao))
        if handle is not None
    ]
    grace = f"open streams get {settings.shutdown_grace_s:g} s to finish"
    if started:
        lines.append(
            f"  Stop with Ctrl-C or SIGTERM ({grace}; {' and '.join(started)} "
            f"{'stops' if len(started) == 1 else 'stop'} with it; data stays).\n"
        )
    else:
        lines.append(f"  Stop with Ctrl-C or SIGTERM ({grace}).\n")
    return "\n".join(lines)


def _ensure_schema(settings: Settings, migrate: bool) -> None:
    from workspace.schema.migrate import pending_revisions, upgrade

    assert settings.database_url is not None
    current, head = asyncio.run(pending_revisions(settings.database_url))
    if current == head:
        return
    if not migrate:
        click.echo(
            f"The database schema is at {current or 'nothing'}, the code needs {head}.\n"
            "Run `switchboard migrate` first (or start with --migrate).",
            err=True,
        )
        sys.exit(2)
    upgrade(settings.database_url)


def _serve_http(settings: Settings) -> None:
    import uvicorn

    from workspace.server.app import create_app

    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        timeout_graceful_shutdown=math.ceil(settings.shutdown_grace_s),  # never rounds to 0
    )
    uvicorn.Server(config).run()


def serve(settings: Settings, *, migrate: bool, demo: bool, sso: bool = False) -> None:
    """Start what is missing, serve, and on Ctrl-C or SIGTERM stop it all in order."""
    try:
        with sigterm_unwinds(), local_services(settings) as services, ExitStack() as extras:
            settings = services.settings
            _ensure_schema(settings, migrate)
            simulator = None
            login = None
            sso_note = ""
            if demo:
                from workspace.cli.demo import start_demo

                simulator, settings, login = start_demo(settings)
            if demo and sso:  # the bundled OpenID provider, stopped by the ExitStack
                from workspace.cli.demo_sso import start_demo_sso

                idp, settings, sso_note = start_demo_sso(settings)
                extras.push(idp.__exit__)
            try:
                click.echo(banner(settings, services, login) + sso_note)
                _serve_http(settings)
            finally:
                if simulator is not None:
                    simulator.stop()
    except (Terminated, KeyboardInterrupt):
        click.echo("  Switchboard stopped.")
