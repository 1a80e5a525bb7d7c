"""The ``switchboard`` command: run, migrate, simulator, adapters, admin; and the commands
for people (login, keys, chat, compare, doctor) from :mod:`workspace.cli.user_commands`."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, Literal

import click

from workspace.cli.user_commands import add_user_commands
from workspace.config.settings import Settings


def _settings(**overrides: object) -> Settings:
    base = Settings()
    return base.model_copy(update={k: v for k, v in overrides.items() if v is not None})


@click.group()
def main() -> None:
    """Switchboard: a self-hosted, multi-provider AI workspace for bring-your-own-key teams."""


@main.command()
@click.option("--host", default=None, help="Interface to bind (SWITCHBOARD_HOST).")
@click.option("--port", type=int, default=None, help="Port to bind (SWITCHBOARD_PORT).")
@click.option("--data-dir", type=click.Path(path_type=Path), default=None, help="Data directory.")
@click.option("--migrate", is_flag=True, help="Upgrade the schema first instead of refusing.")
@click.option("--demo", is_flag=True, help="Offline demo: provider simulator + seeded workspace.")
@click.option("--sso", is_flag=True, help="With --demo: a bundled OpenID provider to sign in with.")
def run(
    host: str | None,
    port: int | None,
    data_dir: Path | None,
    migrate: bool,
    demo: bool,
    sso: bool,
) -> None:
    """Serve the app; start embedded PostgreSQL/OpenBao when DATABASE_URL/VAULT_ADDR are unset."""
    from workspace.cli.serve import serve

    if sso and not demo:
        raise click.UsageError("--sso is part of the demo: use it with --demo")
    settings = _settings(host=host, port=port, data_dir=data_dir)
    serve(settings, migrate=migrate, demo=demo, sso=sso)


@main.command()
@click.option("--data-dir", type=click.Path(path_type=Path), default=None)
def migrate(data_dir: Path | None) -> None:
    """Upgrade the database schema to the newest revision (needs PostgreSQL only, never Vault).

    With DATABASE_URL set it writes nothing locally (the hook Job runs on a read-only root).
    """
    from workspace.cli.embedded.stack import local_services
    from workspace.schema.migrate import upgrade

    settings = _settings(data_dir=data_dir)
    if settings.database_url is not None:
        upgrade(settings.database_url)
    else:
        with local_services(settings, vault=False) as services:
            assert services.settings.database_url is not None
            upgrade(services.settings.database_url)
    click.echo("schema is up to date")


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", type=int, default=8090)
@click.option(
    "--style",
    type=click.Choice(["describe", "prose"]),
    default="describe",
    help="Replies: describe (a context report, for tests) or prose (answers, for demos).",
)
def simulator(host: str, port: int, style: Literal["describe", "prose"]) -> None:
    """Run the provider simulator (OpenAI, Anthropic, Gemini, Groq, Code Assist, OAuth)."""
    from adapters.simulator.server import run as run_simulator

    click.echo(f"provider simulator on http://{host}:{port}")
    run_simulator(host, port, style=style)


@main.command()
def adapters() -> None:
    """List loaded adapter plugins, their versions and the providers they serve."""
    from workspace.runtime.providers import make_registry

    registry = make_registry(Settings())
    for info in registry.plugins_info():
        providers = ", ".join(info.provider_ids) or "-"
        click.echo(f"{info.name:<20} {info.version or '-':<10} {providers}")


@main.group()
def admin() -> None:
    """Operator commands."""


@admin.group("platform-key")
def platform_key() -> None:
    """Platform (hosted) provider keys, charged to workspaces in credits."""


def _with_store(
    action: Callable[[Settings], Coroutine[Any, Any, str]], data_dir: Path | None
) -> None:
    from workspace.cli.embedded.stack import local_services

    with local_services(_settings(data_dir=data_dir)) as services:
        click.echo(asyncio.run(action(services.settings)))


@platform_key.command("set")
@click.argument("provider")
@click.option("--data-dir", type=click.Path(path_type=Path), default=None)
def platform_key_set(provider: str, data_dir: Path | None) -> None:
    """Store PROVIDER's platform key, read from standard input (never from the command line)."""
    secret = sys.stdin.readline().strip()
    if not secret:
        raise click.UsageError("pipe the key on standard input")

    async def action(settings: Settings) -> str:
        from workspace.db.sessions import make_engine, make_sessionmaker
        from workspace.keys.platform import set_platform_key
        from workspace.runtime.providers import make_registry
        from workspace.secrets.vault import SecretStore

        engine = make_engine(settings.database_url or "", pool_size=1)
        try:
            async with make_sessionmaker(engine)() as session:
                row = await set_platform_key(
                    session, SecretStore(settings), make_registry(settings), provider, secret
                )
                await session.commit()
        finally:
            await engine.dispose()
        return f"platform key for {provider} stored ({row.fingerprint})"

    _with_store(action, data_dir)


@admin.group("sso-secret")
def sso_secret() -> None:
    """Client secrets of the OpenID providers in SWITCHBOARD_SSO_PROVIDERS (kept in Vault)."""


@sso_secret.command("set")
@click.argument("provider")
@click.option("--data-dir", type=click.Path(path_type=Path), default=None)
def sso_secret_set(provider: str, data_dir: Path | None) -> None:
    """Store PROVIDER's client secret, read from standard input (never from the command line)."""
    secret = sys.stdin.readline().strip()
    if not secret:
        raise click.UsageError("pipe the client secret on standard input")

    async def action(settings: Settings) -> str:
        from workspace.secrets.vault import SecretStore
        from workspace.sso.client_secret import set_client_secret
        from workspace.sso.providers import configured

        if configured(settings).get(provider) is None:
            raise click.UsageError(f"{provider} is not in SWITCHBOARD_SSO_PROVIDERS")
        await set_client_secret(SecretStore(settings), provider, secret)
        return f"client secret for {provider} stored in Vault"

    _with_store(action, data_dir)


# login, keys, chat, compare and doctor: the commands for people (switchboard.cli).
add_user_commands(main)


if __name__ == "__main__":
    main()
