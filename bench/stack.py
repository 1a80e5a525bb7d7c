"""The real stack for benchmarks, each server in its own process so none steals the client's CPU.

Embedded PostgreSQL and OpenBao (as the tests start them), the provider simulator as
``python -m adapters.simulator`` and the app under uvicorn in a spawned process.
"""

from __future__ import annotations

import multiprocessing
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import httpx

from workspace.cli.demo import simulator_settings
from workspace.cli.embedded.ports import free_port
from workspace.cli.embedded.stack import local_services
from workspace.config.settings import Settings
from workspace.schema.migrate import upgrade


@dataclass
class BenchStack:
    app_url: str
    simulator_url: str
    app_pid: int
    database_url: str
    settings: Settings
    """The app's settings (simulator URLs included), for a second app process."""


def _serve(
    settings: Settings, profile_to: str | None = None, timeline_to: str | None = None
) -> None:
    import uvicorn

    from workspace.server.app import create_app

    if timeline_to is not None:
        from bench.timeline import serve_with_timeline

        serve_with_timeline(settings, Path(timeline_to))
        return
    if profile_to is None:
        uvicorn.run(create_app(settings), host="127.0.0.1", port=settings.port, log_level="warning")
        return
    _serve_profiled(settings, Path(profile_to))


def _serve_profiled(settings: Settings, out: Path) -> None:
    """Serve; profile from when ``<out>.start`` appears until ``<out>.stop`` does, then write
    the stats to ``out``.

    Files rather than signals: uvicorn re-raises SIGTERM after its shutdown, which would end the
    process before the profile is written. The watcher runs on the event loop because cProfile
    profiles the thread that enables it.
    """
    import asyncio
    import cProfile

    profiler = cProfile.Profile()

    async def watch(server: Any) -> None:
        while not out.with_suffix(".start").exists():
            await asyncio.sleep(0.1)
        profiler.enable()
        while not out.with_suffix(".stop").exists():
            await asyncio.sleep(0.1)
        profiler.disable()
        server.should_exit = True

    serve_watched(settings, watch)
    profiler.dump_stats(str(out))


def serve_watched(settings: Settings, watch: Callable[[Any], Awaitable[None]]) -> None:
    """Serve the app in this process with ``watch(server)`` beside it on the event loop, until
    the watcher sets the uvicorn server's ``should_exit``."""
    import asyncio

    import uvicorn

    from workspace.server.app import create_app

    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=settings.port, log_level="warning"
        )
    )

    async def main() -> None:
        watcher = asyncio.create_task(watch(server))
        await server.serve()
        watcher.cancel()

    asyncio.run(main())


@contextmanager
def extra_app(
    settings: Settings, profile_to: Path | None = None, timeline_to: Path | None = None
) -> Iterator[tuple[str, int]]:
    """A second app process on the same services, with other settings; yields (url, pid).
    It may run under cProfile (``profile_to``) or with its steps stamped (``timeline_to``)."""
    settings = settings.model_copy(update={"port": free_port()})
    args = (settings, *(str(p) if p else None for p in (profile_to, timeline_to)))
    app = multiprocessing.get_context("spawn").Process(target=_serve, args=args)
    app.start()
    url = f"http://127.0.0.1:{settings.port}"
    try:
        _wait(f"{url}/healthz", "the second app")
        assert app.pid is not None
        yield url, app.pid
    finally:
        for written in (profile_to, timeline_to):
            if written is not None:
                written.with_suffix(".stop").touch()
                app.join(30)
        if app.is_alive():
            app.terminate()
            app.join(10)


def _wait(url: str, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start")


@contextmanager
def bench_stack() -> Iterator[BenchStack]:
    data_dir = Path(tempfile.mkdtemp(prefix="switchboard-bench-"))
    data_dir.chmod(0o755)
    base = Settings(data_dir=data_dir, database_url=None, vault_addr=None, port=free_port())
    sim_port = free_port()
    simulator = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "adapters.simulator",
            "--port",
            str(sim_port),
            "--log-level",
            "warning",
        ]
    )
    app: BaseProcess | None = None
    try:
        with local_services(base, ephemeral=True) as services:
            assert services.settings.database_url is not None
            upgrade(services.settings.database_url)
            sim_url = f"http://127.0.0.1:{sim_port}"
            _wait(f"{sim_url}/_simulator/health", "the simulator")
            settings = simulator_settings(
                services.settings.model_copy(
                    update={"allow_private_base_urls": True, "log_level": "WARNING"}
                ),
                sim_url,
            )
            app = multiprocessing.get_context("spawn").Process(target=_serve, args=(settings,))
            app.start()
            app_url = f"http://127.0.0.1:{settings.port}"
            _wait(f"{app_url}/healthz", "the app")
            assert app.pid is not None
            yield BenchStack(app_url, sim_url, app.pid, services.settings.database_url, settings)
    finally:
        if app is not None:
            app.terminate()
            app.join(10)
        simulator.terminate()
        simulator.wait(10)
        shutil.rmtree(data_dir, ignore_errors=True)
