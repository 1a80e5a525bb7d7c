"""SIGTERM (``docker stop``, systemd, Kubernetes) on a real ``switchboard run``: open streams
finish within the grace period, and nothing the process started outlives it, also after a
``kill -9`` left an embedded PostgreSQL and OpenBao behind."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from tests.integration.chat.conftest import chat_workspace, new_conversation, parse_frames
from tests.support import PASSWORD, Stack, UserClient, settings_env
from workspace.cli.embedded.leftovers import processes_using
from workspace.cli.embedded.ports import free_port

READY_WITHIN_S = 60


def _run(port: int, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "workspace.cli.commands", "run", "--port", str(port), *args]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _embedded_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "VAULT_"))}
    return {**env, "PYTHONUNBUFFERED": "1"}


def _wait_ready(proc: subprocess.Popen[str], port: int) -> None:
    deadline = time.monotonic() + READY_WITHIN_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"exited early: {proc.stdout.read() if proc.stdout else ''}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise AssertionError("not ready in time")


def _terminate(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, output
    return output


def _left_of(data_dir: Path) -> list[str]:
    """Processes still running whose command line names the data dir."""
    procs = processes_using(str(data_dir.resolve()))
    _, alive = psutil.wait_procs(procs, timeout=5)
    return [" ".join(p.cmdline()[:2]) for p in alive]


@pytest.fixture
def data_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="switchboard-term-"))
    path.chmod(0o755)
    yield path
    if not _left_of(path):  # a failed test's leftovers stay for inspection
        shutil.rmtree(path, ignore_errors=True)


def test_sigterm_stops_the_embedded_services_also_after_a_kill_9_leftover(
    data_dir: Path,
) -> None:
    port = free_port()
    args = ("--data-dir", str(data_dir), "--migrate")

    first = _run(port, _embedded_env(), *args)
    _wait_ready(first, port)
    output = _terminate(first)
    assert "PostgreSQL and OpenBao stop with it" in output
    assert _left_of(data_dir) == []

    killed = _run(port, _embedded_env(), *args)
    _wait_ready(killed, port)
    killed.kill()
    killed.wait(10)
    leftovers = _left_of(data_dir)
    assert any("postgres" in p for p in leftovers), leftovers
    assert any("bao" in p for p in leftovers), leftovers

    again = _run(port, _embedded_env(), *args)
    _wait_ready(again, port)
    _terminate(again)
    assert _left_of(data_dir) == []


SECOND_USER = """
import sys
from pathlib import Path
from workspace.cli.embedded.stack import local_services
from workspace.config.settings import Settings
with local_services(Settings(data_dir=Path(sys.argv[1]))) as services:
    print(services.settings.vault_addr, services.openbao.process is None)
"""


def test_a_second_command_on_the_data_dir_shares_the_services_and_stops_none(
    data_dir: Path,
) -> None:
    port = free_port()
    proc = _run(port, _embedded_env(), "--data-dir", str(data_dir), "--migrate")
    _wait_ready(proc, port)
    try:
        second = subprocess.run(
            [sys.executable, "-c", SECOND_USER, str(data_dir)],
            env=_embedded_env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        assert second.stdout.split()[1] == "True"  # OpenBao shared with its live owner
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=10)
        assert ready.status_code == 200, ready.text
    finally:
        _terminate(proc)
    assert _left_of(data_dir) == []


@pytest.fixture
async def sim(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """The shared simulator's control API; the scenario is reset after the test."""
    assert stack.simulator_url is not None
    async with httpx.AsyncClient(base_url=stack.simulator_url, timeout=30) as client:
        yield client
        await client.delete("/_simulator/scenario")


async def test_sigterm_lets_an_open_stream_finish_and_the_banner_claims_nothing(
    stack: Stack, sim: httpx.AsyncClient
) -> None:
    port = free_port()
    settings = stack.settings.model_copy(update={"port": port, "shutdown_grace_s": 20.0})
    proc = _run(port, {**os.environ, **settings_env(settings), "PYTHONUNBUFFERED": "1"})
    await asyncio.to_thread(_wait_ready, proc, port)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            email = f"term-{port}@example.test"
            made = await http.post(
                "/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "t"}
            )
            http.headers["X-CSRF-Token"] = made.json()["csrf_token"]
            user = UserClient(made.json()["id"], email, http)
            c = await new_conversation(user, await chat_workspace(user))
            # About 3 s of answer: SIGTERM arrives after the first word.
            await sim.post(
                "/_simulator/scenario", json={"model": "gpt-4o", "interval_ms": 150, "chunks": 20}
            )
            names: list[str] = []
            async with http.stream(
                "POST",
                f"/api/conversations/{c}/messages",
                json={"content": "drain", "model": "openai/gpt-4o"},
            ) as response:
                buffer, sent = "", False
                async for chunk in response.aiter_text():
                    events, buffer = parse_frames(buffer + chunk)
                    names += [e.event for e in events]
                    if "delta" in names and not sent:
                        proc.send_signal(signal.SIGTERM)
                        sent = True
            assert names[-1] == "message.end", names
            assert names.count("delta") > 5
            with pytest.raises(httpx.HTTPError):
                await http.get("/healthz")  # no new connection is accepted meanwhile
    finally:
        output, _ = await asyncio.to_thread(proc.communicate, timeout=60)
    assert proc.returncode == 0, output
    assert "PostgreSQL" not in output and "OpenBao" not in output, output
    assert "open streams get 20 s to finish" in output


async def test_a_stream_longer_than_the_grace_period_is_cut_and_kept_as_incomplete(
    stack: Stack, sim: httpx.AsyncClient, alice: UserClient
) -> None:
    port = free_port()
    settings = stack.settings.model_copy(update={"port": port, "shutdown_grace_s": 2.0})
    proc = _run(port, {**os.environ, **settings_env(settings), "PYTHONUNBUFFERED": "1"})
    await asyncio.to_thread(_wait_ready, proc, port)
    c = await new_conversation(alice, await chat_workspace(alice))
    # About 10 s of answer, far longer than the 2 s grace period.
    await sim.post(
        "/_simulator/scenario", json={"model": "gpt-4o", "interval_ms": 250, "chunks": 40}
    )
    names: list[str] = []
    started = 0.0
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", timeout=30, cookies=alice.http.cookies
    ) as http:
        http.headers.update(alice.http.headers)
        with contextlib.suppress(httpx.HTTPError):  # the server cuts the stream
            async with http.stream(
                "POST",
                f"/api/conversations/{c}/messages",
                json={"content": "too long", "model": "openai/gpt-4o"},
            ) as response:
                buffer = ""
                async for chunk in response.aiter_text():
                    events, buffer = parse_frames(buffer + chunk)
                    names += [e.event for e in events]
                    if "delta" in names and not started:
                        proc.send_signal(signal.SIGTERM)
                        started = time.monotonic()
    cut_after = time.monotonic() - started
    output, _ = await asyncio.to_thread(proc.communicate, timeout=60)
    assert proc.returncode == 0, output
    assert "message.end" not in names
    assert cut_after < 6, f"the stream ran {cut_after:.1f} s past SIGTERM"

    deadline = time.monotonic() + 30  # stored at once, or recovered once its lease expires
    while True:
        messages = (await alice.get(f"/api/conversations/{c}")).json()["messages"]
        answer = next(m for m in messages if m["role"] == "assistant")
        if answer["status"] != "streaming" or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    assert answer["status"] == "incomplete", answer
