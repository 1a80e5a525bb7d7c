"""Start-up leaves its heap out of the garbage collector's full scans (gc_freeze_at_start).

The app starts in a process of its own: a full collection inside the test process would walk
every other test's objects (and the stack's server thread's), and its freeze count would count
them too. Run in-process, the app's shutdown hung twice in CI after such a collection.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
from multiprocessing.connection import Connection

from litestar.testing import AsyncTestClient

from tests.support import Stack
from workspace.config.settings import Settings
from workspace.server.app import create_app


def _start_and_count(settings: Settings, out: Connection) -> None:
    """In the child: start the app, check it serves, send its freeze count, stop it."""

    async def main() -> None:
        async with AsyncTestClient(app=create_app(settings)) as client:
            status = (await client.get("/healthz")).status_code
            out.send((status, gc.get_freeze_count()))

    asyncio.run(main())


def test_a_started_app_has_frozen_what_start_up_built(stack: Stack) -> None:
    assert Settings.model_fields["gc_freeze_at_start"].default is True
    context = multiprocessing.get_context("spawn")
    received, sent = context.Pipe(duplex=False)
    child = context.Process(target=_start_and_count, args=(stack.settings, sent))
    child.start()
    try:
        assert received.poll(90), "the app did not start"
        status, frozen = received.recv()
    finally:
        child.join(30)
        if child.is_alive():
            child.kill()
    assert status == 200
    assert frozen > 10_000, frozen
