"""``switchboard run --demo --sso``: the demo with a bundled OpenID provider to sign in with.

The provider is ``oidc-provider-mock`` (a development dependency) on a free loopback port: its
consent page lists two people, Alice (group ``demo-members``) and Ada (``demo-admins``). The demo
workspace maps those groups to member and admin, so signing in with "Demo IdP" shows the group
roles at work. The default demo login (password) is unchanged.
"""

from __future__ import annotations

import asyncio
import json
import logging
from contextlib import AbstractContextManager
from typing import Any

import click
from sqlmodel import select

from workspace.audit.service import Actor
from workspace.cli.demo import DEMO_WORKSPACE
from workspace.config.settings import Settings
from workspace.db.sessions import make_engine, make_sessionmaker
from workspace.secrets.vault import SecretStore
from workspace.sso.client_secret import set_client_secret
from workspace.sso.policy import PolicyChange, policy_of, save_policy
from workspace.teams.models import Workspace
from workspace.teams.roles import Role

DEMO_PROVIDER = "demo"
DEMO_PEOPLE = {
    "alice": {"name": "Alice (member)", "groups": ["demo-members"]},
    "ada": {"name": "Ada (admin)", "groups": ["demo-admins"]},
}
DEMO_GROUPS = {"demo-members": Role.MEMBER, "demo-admins": Role.ADMIN}


def _provider_server() -> AbstractContextManager[Any]:
    try:
        from oidc_provider_mock import User, run_server_in_thread  # type: ignore[import-untyped]
    except ImportError:
        raise click.UsageError(
            "--sso needs the development dependencies (oidc-provider-mock): pip install -e '.[dev]'"
        ) from None
    users = [
        User(
            sub=sub,
            claims={"email": f"{sub}@demo.switchboard.local", "email_verified": True, **claims},
        )
        for sub, claims in DEMO_PEOPLE.items()
    ]
    server: AbstractContextManager[Any] = run_server_in_thread(
        require_nonce=True, user_claims=users
    )
    return server


async def _map_groups(settings: Settings) -> None:
    """The demo workspace takes its roles from the demo IdP's groups (idempotent)."""
    engine = make_engine(settings.database_url or "", pool_size=1)
    try:
        async with make_sessionmaker(engine)() as db:
            ws = (await db.exec(select(Workspace).where(Workspace.name == DEMO_WORKSPACE))).first()
            if ws is None or await policy_of(db, ws.id) is not None:
                return
            change = PolicyChange(False, False, DEMO_PROVIDER, DEMO_GROUPS)
            await save_policy(db, Actor(ws.created_by, None), ws.id, change)
            await db.commit()
    finally:
        await engine.dispose()


def start_demo_sso(settings: Settings) -> tuple[AbstractContextManager[Any], Settings, str]:
    """Start the demo IdP; the settings naming it, and a line for the start-up banner."""
    for noisy in ("werkzeug", "oidc_provider_mock"):  # one line per IdP request otherwise
        logging.getLogger(noisy).setLevel(logging.WARNING)
    server_cm = _provider_server()
    server = server_cm.__enter__()
    issuer = f"http://localhost:{server.server_port}"
    provider = {"id": DEMO_PROVIDER, "label": "Demo IdP", "issuer": issuer,
                "client_id": "switchboard-demo", "groups_claim": "groups"}  # fmt: skip
    settings = settings.model_copy(
        update={"sso_providers": json.dumps([provider]), "sso_allow_private_issuers": True}
    )
    asyncio.run(_map_groups(settings))
    # Any secret does for the bundled provider; it shows where a real one lives (Vault).
    asyncio.run(set_client_secret(SecretStore(settings), DEMO_PROVIDER, "demo-client-secret"))
    note = f"  SSO demo: 'Sign in with Demo IdP' ({issuer}); pick alice (member) or ada (admin)."
    return server_cm, settings, note
