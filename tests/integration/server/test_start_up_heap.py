"""Start-up leaves its heap out of the garbage collector's full scans (gc_freeze_at_start)."""

from __future__ import annotations

import gc

from litestar.testing import AsyncTestClient

from tests.support import Stack
from workspace.config.settings import Settings
from workspace.server.app import create_app


async def test_a_started_app_has_frozen_what_start_up_built(stack: Stack) -> None:
    assert Settings.model_fields["gc_freeze_at_start"].default is True
    gc.unfreeze()
    try:
        async with AsyncTestClient(app=create_app(stack.settings)) as client:
            assert (await client.get("/healthz")).status_code == 200
            frozen = gc.get_freeze_count()
        assert frozen > 10_000, frozen
    finally:
        gc.unfreeze()  # this test process is not a server: give the collector its objects back
