"""A TCP relay that counts round trips, so the benchmark measures them instead of estimating.

The app reaches PostgreSQL (and the provider simulator) through a relay in the benchmark's own
process. A *round trip* is one flight of client bytes that follows a reply from the server:
pipelined messages sent together count once, a prepared statement's Parse/Sync then Bind/Execute
count twice, a pool pre-ping counts once. Every flight and every server reply is stamped with
``time.time()`` (the simulator stamps its request log with the same clock), so a request's trips
can be split into those before the provider call started and those after the provider's last byte.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Tap:
    """What went through one relay: client flight times and server reply times."""

    flights: list[tuple[float, str]] = field(default_factory=list)
    replies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def flights_between(self, start: float, end: float) -> list[str]:
        """The labels of the flights sent in [start, end)."""
        with self.lock:
            return [label for t, label in self.flights if start <= t < end]

    def first_flight_after(self, start: float) -> float | None:
        with self.lock:
            return next((t for t, _ in self.flights if t >= start), None)

    def last_reply_before(self, end: float) -> float | None:
        with self.lock:
            return max((t for t in self.replies if t < end), default=None)

    def clear(self) -> None:
        with self.lock:
            self.flights.clear()
            self.replies.clear()


SSL_REQUEST = 80877103


class PgLabels:
    """Names a flight of PostgreSQL frontend messages by the SQL it runs (first 60 characters).

    Parse ('P') and simple Query ('Q') carry the SQL; Bind ('B') names a statement parsed earlier
    on the same connection (asyncpg's statement cache), so the names are remembered.
    """

    def __init__(self) -> None:
        self.buffer = b""
        self.started = False
        self.statements: dict[bytes, str] = {}

    def feed(self, data: bytes) -> str:
        self.buffer += data
        labels: list[str] = []
        while True:
            if not self.started:
                if len(self.buffer) < 8:
                    break
                (length,) = struct.unpack("!I", self.buffer[:4])
                if len(self.buffer) < length:
                    break
                code = struct.unpack("!I", self.buffer[4:8])[0]
                self.started = code != SSL_REQUEST
                self.buffer = self.buffer[length:]
                labels.append("startup")
                continue
            if len(self.buffer) < 5:
                break
            kind, length = self.buffer[:1], struct.unpack("!I", self.buffer[1:5])[0]
            if len(self.buffer) < 1 + length:
                break
            body, self.buffer = self.buffer[5 : 1 + length], self.buffer[1 + length :]
            labels.extend(self._label(kind, body))
        return labels[0] if labels else "?"

    def _label(self, kind: bytes, body: bytes) -> list[str]:
        if kind == b"Q":
            return [" ".join(body.split(b"\0", 1)[0].decode(errors="replace").split())[:60] or ";"]
        if kind == b"P":
            name, rest = body.split(b"\0", 1)
            sql = " ".join(rest.split(b"\0", 1)[0].decode(errors="replace").split())[:60]
            self.statements[name] = sql
            return [sql]
        if kind == b"B":
            name = body.split(b"\0", 2)[1]
            return [self.statements.get(name, "bind")]
        return []


class _Relay:
    def __init__(self, target: str | tuple[str, int], tap: Tap, postgres: bool) -> None:
        self.target = target
        self.tap = tap
        self.postgres = postgres

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if isinstance(self.target, str):
            up_reader, up_writer = await asyncio.open_unix_connection(self.target)
        else:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        # One flag per connection: a client write after a server reply starts a new flight.
        state = {"replied": True}
        labels = PgLabels() if self.postgres else None

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter, up: bool) -> None:
            try:
                while data := await src.read(65536):
                    now = time.time()
                    label = labels.feed(data) if (up and labels) else ""
                    with self.tap.lock:
                        if up and state["replied"]:
                            self.tap.flights.append((now, label))
                            state["replied"] = False
                        elif not up:
                            self.tap.replies.append(now)
                            state["replied"] = True
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                dst.close()

        with contextlib.suppress(asyncio.CancelledError):  # the tap is closing
            await asyncio.gather(pipe(reader, up_writer, True), pipe(up_reader, writer, False))


@contextmanager
def wiretap(target: str | tuple[str, int], *, postgres: bool = False) -> Iterator[tuple[int, Tap]]:
    """Relay a local TCP port to the target (a Unix socket path or host and port) in a
    background thread; yields (port, tap). With ``postgres`` each flight is labelled with its SQL.
    """
    tap = Tap()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, object] = {}

    async def start() -> None:
        server = await asyncio.start_server(_Relay(target, tap, postgres).handle, "127.0.0.1", 0)
        holder["server"] = server
        holder["port"] = server.sockets[0].getsockname()[1]
        ready.set()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=run, name="wiretap", daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield int(holder["port"]), tap  # type: ignore[call-overload]
    finally:

        async def stop() -> None:
            server = holder["server"]
            assert isinstance(server, asyncio.Server)
            server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            loop.stop()

        asyncio.run_coroutine_threadsafe(stop(), loop)
        thread.join(5)
