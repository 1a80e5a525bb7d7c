"""Start-up leaves its heap out of the garbage collector's full scans (gc_freeze_at_start)."""

from __future__ import annotations

import gc

import pytest
from litestar.testing import AsyncTestClient

from tests.support import Stack
from workspace.server.app import create_app


@pytest.mark.parametrize("freeze", [True, False])
async def test_a_started_app_has_frozen_what_start_up_built_unless_told_not_to(
    stack: Stack, freeze: bool
) -> None:
    gc.unfreeze()
    try:
        app = create_app(stack.settings.model_copy(update={"gc_freeze_at_start": freeze}))
        async with AsyncTestClient(app=app) as client:
            assert (await client.get("/healthz")).status_code == 200
            frozen = gc.get_freeze_count()
        assert (frozen > 10_000) is freeze, frozen
    finally:
        gc.unfreeze()  # this test process is not a server: give the collector its objects back
