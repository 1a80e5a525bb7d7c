"""``switchboard migrate`` needs PostgreSQL only: the migrations hook Job of the chart gets
DATABASE_URL, no VAULT_ADDR and a read-only root filesystem."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.support import Stack

# As root, mode 0555 does not stop writes: bind-mount the directory read-only in a private
# mount namespace instead (EROFS, like the pod's read-only root filesystem).
READ_ONLY_MOUNT = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && cd "$0" && exec "$@"'


def _read_only(workdir: Path, command: list[str]) -> list[str]:
    if os.geteuid() == 0 and shutil.which("unshare"):
        return ["unshare", "-m", "sh", "-c", READ_ONLY_MOUNT, str(workdir), *command]
    workdir.chmod(0o555)
    return command


def test_migrate_from_a_read_only_dir_starts_no_vault_and_writes_nothing(stack: Stack) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="switchboard-ro-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "SWITCHBOARD_"))}
    env["DATABASE_URL"] = stack.settings.database_url or ""
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    command = [sys.executable, "-m", "workspace.cli.commands", "migrate"]
    try:
        done = subprocess.run(
            _read_only(workdir, command),
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


def test_the_read_only_directory_is_read_only() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="switchboard-ro-"))
    try:
        done = subprocess.run(
            _read_only(workdir, ["touch", "probe"]),
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert done.returncode != 0
        assert list(workdir.iterdir()) == []
    finally:
        workdir.chmod(0o755)
        shutil.rmtree(workdir)
