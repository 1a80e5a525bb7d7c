"""``switchboard login``: remember a server and an API token.

With ``--token-stdin`` an existing ``sb_`` token is read from standard input. Otherwise the
command signs in with email and password (read hidden, or ``--password-stdin``) and creates a
token named after this machine. The token goes to the keychain (or its 0600 file), the URL and
the workspace to ``config.toml``.
"""

from __future__ import annotations

import platform

import click
import httpx

from switchboard.cli.output import fail
from switchboard.cli.secret_input import read_secret
from switchboard.client import Client, SwitchboardError
from switchboard.client.config import TOKEN_NAME
from switchboard.client.errors import from_problem
from switchboard.client.stored import Keychain, load_config, save_config

TOKEN_PREFIX = "sb_"


def _token_by_password(url: str, email: str, password: str) -> str:
    """Sign in, create an API token for this machine, sign out; the token's secret."""
    try:
        return _sign_in_for_token(url, email, password)
    except (httpx.HTTPError, ValueError) as exc:  # unreachable, or not a Switchboard answer
        raise SwitchboardError("unreachable", f"{url}: {exc}") from None


def _sign_in_for_token(url: str, email: str, password: str) -> str:
    with httpx.Client(base_url=url, timeout=30) as http:
        signed_in = http.post("/api/auth/login", json={"email": email, "password": password})
        if signed_in.status_code != 200:
            raise from_problem(signed_in.status_code, signed_in.json())
        csrf = {"X-CSRF-Token": signed_in.json()["csrf_token"]}
        name = f"switchboard CLI on {platform.node() or 'this machine'}"[:100]
        created = http.post("/api/tokens", json={"name": name}, headers=csrf)
        if created.status_code != 201:
            raise from_problem(created.status_code, created.json())
        http.post("/api/auth/logout", headers=csrf)
        return str(created.json()["token"])


@click.command()
@click.option("--url", required=True, help="The server, e.g. https://switchboard.example.com.")
@click.option("--token-stdin", is_flag=True, help="Read an existing sb_ API token from stdin.")
@click.option("--email", default=None, help="Sign in with this email (asks for the password).")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
@click.option("--workspace", default=None, help="Workspace id (needed if you are in several).")
def login(
    url: str, token_stdin: bool, email: str | None, password_stdin: bool, workspace: str | None
) -> None:
    """Store the server URL and an API token (the token in the OS keychain, never in a file
    others can read)."""
    url = url.rstrip("/")
    try:
        if token_stdin:
            token = read_secret("API token", from_stdin=True)
            if not token.startswith(TOKEN_PREFIX):
                raise click.UsageError("An API token starts with sb_.")
        else:
            email = email or str(click.prompt("Email", err=True))
            password = read_secret("Password", from_stdin=password_stdin)
            token = _token_by_password(url, email, password)
        with Client(url, token, workspace=workspace, environ={}) as client:
            me = client.me()
            spaces = {w.id: w.name for w in client.workspaces()}
    except SwitchboardError as exc:
        fail(exc)
    if workspace is not None and workspace not in spaces:
        raise click.UsageError(f"You are not a member of workspace {workspace}.")
    chosen = workspace or (next(iter(spaces)) if len(spaces) == 1 else None)
    place = Keychain().set(TOKEN_NAME, token)
    config = load_config()
    config.url, config.workspace = url, chosen
    path = save_config(config)
    where = "the OS keychain" if place == "keychain" else f"{Keychain().file} (mode 0600)"
    click.echo(f"Signed in to {url} as {me.email}; token kept in {where}, settings in {path}.")
    if chosen is None and spaces:
        names = ", ".join(f"{name} ({id_})" for id_, name in spaces.items())
        click.echo(f"You are in several workspaces; run login again with --workspace ID: {names}")
    elif chosen is None:
        click.echo("You are in no workspace yet: create one in the web app, then log in again.")
