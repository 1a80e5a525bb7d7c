"""Running the simulator: in a background thread (tests, demo, benchmarks) or blocking (CLI).

The thread variant binds its socket *before* starting uvicorn, so port 0 works and the URL is
known at once, and it returns only after a health check succeeds, so callers never race the
server's startup.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass, field

import httpx
import uvicorn

from adapters.simulator.app import create_app
from adapters.simulator.sse import SimulatedDisconnect
from adapters.simulator.state import ReplyStyle, SimulatorState

_STARTUP_TIMEOUT_S = 10.0


class _DropSimulatedDisconnects(logging.Filter):
    """Hide the traceback uvicorn logs when a ``disconnect`` scenario aborts a stream on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not _is_simulated(exc, depth=0)


def _is_simulated(exc: BaseException | None, depth: int) -> bool:
    """Whether an exception is, wraps or groups a :class:`SimulatedDisconnect`."""
    if exc is None or depth > 10:
        return False
    if isinstance(exc, SimulatedDisconnect):
        return True
    if isinstance(exc, BaseExceptionGroup) and any(
        _is_simulated(inner, depth + 1) for inner in exc.exceptions
    ):
        return True
    return _is_simulated(exc.__cause__ or exc.__context__, depth + 1)


def _install_log_filter() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _DropSimulatedDisconnects) for f in logger.filters):
        logger.addFilter(_DropSimulatedDisconnects())


def _config(host: str, port: int, log_level: str, style: ReplyStyle) -> uvicorn.Config:
    return uvicorn.Config(
        create_app(SimulatorState(style=style)),
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        lifespan="off",
        timeout_keep_alive=30,
        backlog=4096,
    )


@dataclass
class RunningSimulator:
    """A simulator serving on a background thread; ``stop()`` shuts it down."""

    url: str
    host: str
    port: int
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def stop(self, timeout: float = 5.0) -> None:
        """Ask uvicorn to exit and wait for the thread (open streams are cut)."""
        self._server.should_exit = True
        self._server.force_exit = True
        self._thread.join(timeout)

    def __enter__(self) -> RunningSimulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_in_thread(
    host: str = "127.0.0.1",
    port: int = 0,
    log_level: str = "warning",
    style: ReplyStyle = "describe",
) -> RunningSimulator:
    """Start the simulator on its own thread and event loop; return once it answers.

    ``style`` is the reply style when no scenario names one: ``describe`` (what tests assert
    on) or ``prose`` (answers for people, as the offline demo shows them).
    """
    _install_log_filter()
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = int(sock.getsockname()[1])
    server = uvicorn.Server(_config(host, bound_port, log_level, style))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"simulator-{bound_port}", daemon=True
    )
    thread.start()
    url_host = f"[{host}]" if ":" in host else host
    url = f"http://{url_host}:{bound_port}"
    deadline = time.monotonic() + _STARTUP_TIMEOUT_S
    while True:
        try:
            if httpx.get(f"{url}/_simulator/health", timeout=1.0).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError(f"simulator did not start on {url}")
        time.sleep(0.02)
    return RunningSimulator(url=url, host=host, port=bound_port, _server=server, _thread=thread)


def run(
    host: str = "127.0.0.1",
    port: int = 8765,
    log_level: str = "info",
    style: ReplyStyle = "describe",
) -> None:
    """Serve in the foreground until interrupted (``switchboard simulator --port N``)."""
    _install_log_filter()
    uvicorn.Server(_config(host, port, log_level, style)).run()
