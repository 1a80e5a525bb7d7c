"""Start what the settings leave unset: embedded PostgreSQL and OpenBao.

Given settings, ``local_services`` yields settings that point at running services: the operator's
own ones when ``DATABASE_URL`` / ``VAULT_ADDR`` are set, embedded ones in the data dir otherwise.
Leaving the context stops what it started, cleanly; the data stays for the next start.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from workspace.cli.embedded.openbao import EmbeddedOpenBao, start_embedded_openbao
from workspace.cli.embedded.postgres import EmbeddedPostgres, start_embedded_postgres
from workspace.config.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class LocalServices:
    """The effective settings and handles to whatever was started embedded."""

    settings: Settings
    postgres: EmbeddedPostgres | None
    openbao: EmbeddedOpenBao | None


@contextmanager
def local_services(
    settings: Settings, *, ephemeral: bool = False, vault: bool = True
) -> Iterator[LocalServices]:
    """Start embedded services for unset URLs; stop them on exit.

    ``vault=False`` is for commands that need the database only (``switchboard migrate``): no
    OpenBao is started or required, whatever ``VAULT_ADDR`` says.
    """
    postgres: EmbeddedPostgres | None = None
    openbao: EmbeddedOpenBao | None = None
    overrides: dict[str, object] = {}
    try:
        if settings.database_url is None:
            postgres = start_embedded_postgres(settings.data_dir, delete_on_stop=ephemeral)
            overrides["database_url"] = postgres.url
        if vault and settings.vault_addr is None:
            openbao = start_embedded_openbao(settings.data_dir, mount=settings.vault_kv_mount)
            overrides.update(
                vault_addr=openbao.addr,
                vault_auth_method="approle",
                vault_role_id=openbao.role_id,
                vault_secret_id_file=openbao.secret_id_file,
            )
        yield LocalServices(settings.model_copy(update=overrides), postgres, openbao)
    finally:
        if openbao is not None:
            openbao.stop()
        if postgres is not None:
            postgres.stop()
