"""``switchboard run`` on an empty data dir: embedded services, the demo, restarts keep data.

This is what ``make run`` does (``switchboard run --demo --migrate``), in a throwaway data dir.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil
import pytest

from workspace.cli.demo import DEMO_EMAIL, DEMO_PASSWORD
from workspace.cli.embedded.ports import free_port

READY_WITHIN_S = 30


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "VAULT_"))}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _start(data_dir: Path, port: int, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "workspace.cli.commands",
            "run",
            "--data-dir",
            str(data_dir),
            "--port",
            str(port),
            *args,
        ],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_ready(proc: subprocess.Popen[str], url: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < READY_WITHIN_S:
        if proc.poll() is not None:
            raise AssertionError(f"exited early: {proc.stdout.read() if proc.stdout else ''}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise AssertionError(f"/readyz not 200 within {READY_WITHIN_S}s")


def _stop(proc: subprocess.Popen[str]) -> str:
    children = psutil.Process(proc.pid).children(recursive=True)
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=30)
    _, alive = psutil.wait_procs(children, timeout=15)
    assert not alive, f"left running: {[p.name() for p in alive]}"
    return output


@pytest.fixture
def data_dir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="switchboard-run-"))
    path.chmod(0o755)
    return path


def test_run_refuses_an_outdated_schema(data_dir: Path) -> None:
    proc = _start(data_dir, free_port())
    output, _ = proc.communicate(timeout=90)
    assert proc.returncode == 2
    assert "switchboard migrate" in output


def test_demo_serves_quickly_and_a_restart_keeps_the_data(data_dir: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _start(data_dir, port, "--demo", "--migrate")
    try:
        took = _wait_ready(proc, url)
        with httpx.Client(base_url=url) as client:
            login = client.post(
                "/api/auth/login", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
            )
            assert login.status_code == 200, login.text
            csrf = login.json()["csrf_token"]
            made = client.post(
                "/api/workspaces", json={"name": "kept"}, headers={"X-CSRF-Token": csrf}
            )
            assert made.status_code == 201
    finally:
        output = _stop(proc)
    assert took < READY_WITHIN_S
    assert not (data_dir / "postgres" / "postmaster.pid").exists(), "PostgreSQL left running"
    assert url in output
    assert DEMO_EMAIL in output and DEMO_PASSWORD in output
    assert "simulator" in output.lower()
    for secret_file in ("init.json", "approle-secret-id"):
        assert (data_dir / "openbao" / secret_file).stat().st_mode & 0o777 == 0o600

    proc = _start(data_dir, port, "--demo", "--migrate")
    try:
        _wait_ready(proc, url)
        with httpx.Client(base_url=url) as client:
            login = client.post(
                "/api/auth/login", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
            )
            assert login.status_code == 200
            names = [w["name"] for w in client.get("/api/workspaces").json()]
            assert "kept" in names and "Demo team" in names
    finally:
        _stop(proc)
