"""Fixtures for the provider simulator tests: a real server on a background thread."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.simulator.server import RunningSimulator, serve_in_thread
from tests.simulator.sim_helpers import HTTP


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    """One simulator per test module, reached over real HTTP."""
    running = serve_in_thread()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(autouse=True)
def _reset(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test starts with no scenario and an empty request log."""
    if "sim" not in request.fixturenames:
        yield
        return
    running: RunningSimulator = request.getfixturevalue("sim")
    HTTP.delete(f"{running.url}/_simulator/scenario")
    HTTP.delete(f"{running.url}/_simulator/requests")
    yield
    HTTP.delete(f"{running.url}/_simulator/scenario")
