"""``switchboard doctor``: is everything needed for a call in place? One line per check, and a
non-zero exit when any fails.

The client half, here: the server answers and is ready (PostgreSQL, Vault), the token works,
the workspace, the active provider and its model, and each provider's key (a local key is
checked with its provider through the server, storing nothing). The server's own half (schema,
Vault from the server's settings, adapters) is added by ``workspace.cli`` when run next to a
server configuration.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import click

from switchboard.cli.status import provider_keys, validity
from switchboard.client import Client, SwitchboardError
from switchboard.client.stored import load_config

Verdict = Literal["ok", "warn", "FAIL"]


@dataclass(frozen=True)
class Check:
    name: str
    verdict: Verdict
    detail: str


ServerChecks = Callable[[Path | None], list[Check]]


def _ready(client: Client) -> Check | None:
    """The server's readiness; None when it does not answer at all."""
    try:
        ready = client.ready()
    except SwitchboardError:
        return None
    parts = ", ".join(f"{k} {v}" for k, v in ready.items() if k != "status")
    verdict: Verdict = "ok" if ready.get("status") == "ok" else "FAIL"
    return Check("server", verdict, f"{client.connection.url} ({parts})")


def _account(client: Client) -> list[Check]:
    try:
        me = client.me()
    except SwitchboardError as exc:
        return [Check("token", "FAIL", f"{exc.detail} [{exc.code}]")]
    checks = [Check("token", "ok", f"signed in as {me.email}")]
    try:
        checks.append(Check("workspace", "ok", client.workspace_id()))
    except SwitchboardError as exc:
        checks.append(Check("workspace", "FAIL", exc.detail))
    return checks


def _provider_and_model(client: Client) -> list[Check]:
    provider = load_config().provider
    checks = [
        Check("provider", "ok", provider)
        if provider
        else Check("provider", "warn", "none active: `switchboard keys use PROVIDER`")
    ]
    model = client.connection.default_model
    if not model:
        checks.append(Check("model", "warn", "no default: `switchboard keys model P MODEL`"))
        return checks
    found = next((m for m in client.models() if m.id == model), None)
    if found is None:
        checks.append(Check("model", "FAIL", f"{model} is not in this workspace's catalogue"))
    elif not found.allowed:
        checks.append(Check("model", "FAIL", f"{model} is not allowed by the workspace policy"))
    else:
        checks.append(Check("model", "ok", model))
    return checks


def _keys(client: Client, environ: Mapping[str, str]) -> list[Check]:
    checks = []
    for key in provider_keys(client, environ):
        if key.local is None and key.server_source is None:
            continue  # no key for a provider you may not use is not a fault
        state = validity(client, key, check=True)
        verdict: Verdict = "FAIL" if state in {"invalid", "expired"} else "ok"
        if key.local is not None and state != "valid" and verdict == "ok":
            verdict = "warn"
        fingerprint = key.local.fingerprint if key.local else ""
        detail = f"{key.source} {fingerprint} {state}".replace("  ", " ")
        checks.append(Check(f"key {key.provider}", verdict, detail))
    return checks


def client_checks(environ: Mapping[str, str]) -> list[Check]:
    try:
        client = Client(environ=environ)
    except SwitchboardError as exc:
        return [Check("config", "FAIL", exc.detail)]
    with client:
        ready = _ready(client)
        if ready is None:
            return [Check("server", "FAIL", f"{client.connection.url} does not answer")]
        checks = [ready]
        checks += _account(client)
        if checks[-1].verdict == "FAIL":
            return checks
        try:
            checks += _provider_and_model(client)
            checks += _keys(client, environ)
        except SwitchboardError as exc:
            checks.append(Check("catalogue", "FAIL", f"{exc.detail} [{exc.code}]"))
    return checks


def report(checks: list[Check]) -> int:
    for check in checks:
        click.echo(f"{check.verdict:<4} {check.name + ':':<14} {check.detail}")
    return 1 if any(c.verdict == "FAIL" for c in checks) else 0


def make_doctor(server_checks: ServerChecks | None = None) -> click.Command:
    """The ``doctor`` command; ``server_checks`` adds the server's own half when it applies
    (``--server``, or a server configuration in the environment)."""

    @click.command()
    @click.option("--server", is_flag=True, help="Also check this machine's server setup.")
    @click.option("--data-dir", type=click.Path(path_type=Path), default=None)
    def doctor(server: bool, data_dir: Path | None) -> None:
        """Check the server, the token, the workspace, the active provider, its model and each
        key; exit 1 when something is wrong."""
        environ = dict(os.environ)
        checks: list[Check] = []
        beside_server = bool(environ.get("DATABASE_URL") or environ.get("SWITCHBOARD_DATABASE_URL"))
        if server_checks is not None and (server or beside_server):
            checks += server_checks(data_dir)
        if not server or load_config().url or environ.get("SWITCHBOARD_URL"):
            checks += client_checks(environ)
        raise SystemExit(report(checks))

    return doctor
