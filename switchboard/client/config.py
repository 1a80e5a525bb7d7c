"""Where the client's settings come from: per-call arguments > environment > the CLI's stored
config (``switchboard login``). ``SWITCHBOARD_URL``, ``SWITCHBOARD_TOKEN``,
``SWITCHBOARD_WORKSPACE`` and ``SWITCHBOARD_MODEL`` are the environment's names."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from switchboard.client.errors import SwitchboardError
from switchboard.client.stored import Keychain, StoredConfig, load_config

TOKEN_NAME = "token"


@dataclass(frozen=True)
class Connection:
    """The server, the API token (hidden from repr) and the workspace calls go to."""

    url: str
    token: str = field(repr=False)
    workspace: str | None
    default_model: str | None
    active_provider: str | None


def _first(*values: str | None) -> str | None:
    return next((v for v in values if v), None)


def resolve(
    url: str | None = None,
    token: str | None = None,
    workspace: str | None = None,
    model: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    stored: StoredConfig | None = None,
    keychain: Keychain | None = None,
) -> Connection:
    """Apply the order; a missing URL or token is a ``not_configured`` error naming the fix."""
    env = os.environ if environ is None else environ
    config = stored if stored is not None else load_config()
    chain = keychain if keychain is not None else Keychain()
    resolved_url = _first(url, env.get("SWITCHBOARD_URL"), config.url)
    if not resolved_url:
        raise SwitchboardError(
            "not_configured", "No server: run `switchboard login --url URL` or set SWITCHBOARD_URL."
        )
    resolved_token = _first(token, env.get("SWITCHBOARD_TOKEN")) or chain.get(TOKEN_NAME)
    if not resolved_token:
        raise SwitchboardError(
            "not_configured", "No API token: run `switchboard login` or set SWITCHBOARD_TOKEN."
        )
    provider = config.provider
    default = _first(
        model,
        env.get("SWITCHBOARD_MODEL"),
        config.models.get(provider) if provider and provider != "platform" else None,
    )
    return Connection(
        url=resolved_url.rstrip("/"),
        token=resolved_token,
        workspace=_first(workspace, env.get("SWITCHBOARD_WORKSPACE"), config.workspace),
        default_model=default,
        active_provider=provider,
    )
