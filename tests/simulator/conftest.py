"""Fixtures for the provider simulator tests: a real server on a background thread."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from adapters.simulator import RunningSimulator, serve_in_thread


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
    httpx.delete(f"{running.url}/_simulator/scenario")
    httpx.delete(f"{running.url}/_simulator/requests")
    yield
    httpx.delete(f"{running.url}/_simulator/scenario")


def set_scenario(sim: RunningSimulator, **scenario: Any) -> None:
    """Install a scenario through the control API."""
    response = httpx.post(f"{sim.url}/_simulator/scenario", json=scenario)
    assert response.status_code == 200, response.text


def logged(sim: RunningSimulator) -> dict[str, Any]:
    """The request log and refresh counts."""
    result: dict[str, Any] = httpx.get(f"{sim.url}/_simulator/requests").json()
    return result
