"""``switchboard migrate`` needs PostgreSQL only: the migrations hook Job of the chart gets
DATABASE_URL, no VAULT_ADDR and a read-only root filesystem."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.support import Stack


def test_migrate_from_a_read_only_dir_starts_no_vault_and_writes_nothing(stack: Stack) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="switchboard-ro-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "SWITCHBOARD_"))}
    env["DATABASE_URL"] = stack.settings.database_url or ""
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    workdir.chmod(0o555)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "workspace.cli.commands", "migrate"],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "schema is up to date" in done.stdout
        assert list(workdir.iterdir()) == []  # no .data, no OpenBao, no log file
    finally:
        workdir.chmod(0o755)
        workdir.rmdir()
