"""The server's half of ``switchboard doctor`` (the client's half is
:mod:`switchboard.cli.doctor`): PostgreSQL and its schema, Vault, the adapters, read from this
machine's server settings. Vault unavailable or the schema behind the code is a failure."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from switchboard.cli.doctor import Check, Verdict, make_doctor
from workspace.config.settings import Settings


async def _checks(settings: Settings) -> list[Check]:
    from workspace.runtime.providers import make_registry
    from workspace.schema.migrate import pending_revisions
    from workspace.secrets.vault import SecretStore

    checks = []
    try:
        current, head = await pending_revisions(settings.database_url or "")
    except Exception as exc:  # the driver's own errors; the check says the database is down
        checks.append(Check("postgres", "FAIL", f"unreachable ({type(exc).__name__})"))
    else:
        verdict: Verdict = "ok" if current == head else "FAIL"
        checks.append(Check("postgres", verdict, f"schema {current}, code {head}"))
    vault_ok = await SecretStore(settings).healthy()
    vault = f"{'ok' if vault_ok else 'UNAVAILABLE'} ({settings.vault_addr})"
    checks.append(Check("vault", "ok" if vault_ok else "FAIL", vault))
    providers = ", ".join(p.id for p in make_registry(settings).providers())
    checks.append(Check("adapters", "ok", providers))
    return checks


def server_checks(data_dir: Path | None) -> list[Check]:
    from workspace.cli.embedded.stack import local_services

    base = Settings()
    if data_dir is not None:
        base = base.model_copy(update={"data_dir": data_dir})
    with local_services(base) as services:
        return asyncio.run(_checks(services.settings))


doctor: click.Command = make_doctor(server_checks)
