"""``switchboard keys``: where each provider's key comes from, and setting it.

``set`` keeps a key locally (``--local``, the default: OS keychain or its 0600 file, sent per
request) or as your personal key in the server's Vault (``--personal``). Either way the key is
checked with the provider first and refused if invalid. ``use`` picks the active provider
(``platform``: send no local key, the server's order decides), ``model`` a provider's default
model, ``status`` shows the order at work, ``remove`` forgets a key.
"""

from __future__ import annotations

import os

import click

from switchboard.cli.output import fail, table
from switchboard.cli.secret_input import read_secret
from switchboard.cli.status import status_rows
from switchboard.client import Client, SwitchboardError
from switchboard.client.keys import PROVIDER_KEY_VARIABLES, fingerprint, keychain_name
from switchboard.client.stored import Keychain, load_config, save_config

PROVIDER = click.Choice(sorted(PROVIDER_KEY_VARIABLES))


@click.group()
def keys() -> None:
    """Your provider keys: local (keychain), personal (server's Vault), and the order used."""


@keys.command("set")
@click.argument("provider", type=PROVIDER)
@click.option("--personal", "scope", flag_value="personal", help="Store it in the server's Vault.")
@click.option("--local", "scope", flag_value="local", default=True, help="Keep it on this machine.")
@click.option("--label", default="", help="Label of a personal key.")
def set_key(provider: str, scope: str, label: str) -> None:
    """Store PROVIDER's key, read hidden (or from stdin): never a command-line argument."""
    secret = read_secret(f"{provider} key")
    try:
        with Client() as client:
            if scope == "personal":
                stored = client.add_personal_key(provider, secret, label)
                click.echo(
                    f"{provider}: personal key {stored.fingerprint} stored on the server "
                    f"({stored.status})."
                )
                return
            check = client.check_key(provider, secret)
    except SwitchboardError as exc:
        fail(exc)
    if check.status == "invalid":
        click.echo(f"{provider}: the provider refused this key; not stored.", err=True)
        raise SystemExit(1)
    place = Keychain().set(keychain_name(provider), secret)
    where = "the OS keychain" if place == "keychain" else "the 0600 key file"
    click.echo(f"{provider}: key {check.fingerprint} kept in {where} ({check.status}).")


@keys.command("use")
@click.argument("provider", type=click.Choice([*sorted(PROVIDER_KEY_VARIABLES), "platform"]))
def use(provider: str) -> None:
    """Make PROVIDER active (its default model is used), or `platform` to send no local key."""
    config = load_config()
    config.provider = provider
    save_config(config)
    model = config.models.get(provider)
    hint = f", default model {model}" if model else ""
    click.echo(f"Active provider: {provider}{hint}.")


@keys.command("model")
@click.argument("provider", type=PROVIDER)
@click.argument("model")
def model(provider: str, model: str) -> None:
    """Set PROVIDER's default MODEL (`gpt-4o-mini` or `openai/gpt-4o-mini`)."""
    ref = model if model.startswith(f"{provider}/") else f"{provider}/{model}"
    config = load_config()
    config.models[provider] = ref
    save_config(config)
    click.echo(f"Default model for {provider}: {ref}.")


@keys.command("status")
@click.option("--no-check", is_flag=True, help="Do not ask providers whether local keys work.")
def status(no_check: bool) -> None:
    """Per provider: where the key comes from now, fingerprint, validity, last used, who pays."""
    try:
        with Client() as client:
            rows = status_rows(client, dict(os.environ), check=not no_check)
    except SwitchboardError as exc:
        fail(exc)
    config = load_config()
    table(["provider", "source", "fingerprint", "validity", "last used", "who pays"], rows)
    click.echo(f"active provider: {config.provider or '-'}")


@keys.command("remove")
@click.argument("provider", type=PROVIDER)
@click.option("--personal", is_flag=True, help="Delete your personal key on the server too.")
def remove(provider: str, personal: bool) -> None:
    """Forget PROVIDER's local key (and with --personal your personal key on the server)."""
    chain = Keychain()
    local = chain.get(keychain_name(provider))
    removed = chain.delete(keychain_name(provider))
    if removed and local:
        click.echo(f"{provider}: local key {fingerprint(local)} removed.")
    if personal:
        try:
            with Client() as client:
                for key in client.personal_keys():
                    if key.provider == provider:
                        client.delete_personal_key(key.id)
                        click.echo(f"{provider}: personal key {key.fingerprint} deleted.")
        except SwitchboardError as exc:
            fail(exc)
    elif not removed:
        click.echo(f"{provider}: no local key to remove.")
