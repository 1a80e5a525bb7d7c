"""Helpers shared by the simulator tests: one sync HTTP client and control-API shortcuts."""

from __future__ import annotations

from typing import Any

import httpx

from adapters.simulator.server import RunningSimulator

HTTP = httpx.Client(timeout=10)
"""One shared sync client: creating an httpx client per call costs tens of milliseconds."""


def set_scenario(sim: RunningSimulator, **scenario: Any) -> None:
    """Install a scenario through the control API."""
    response = HTTP.post(f"{sim.url}/_simulator/scenario", json=scenario)
    assert response.status_code == 200, response.text


def logged(sim: RunningSimulator) -> dict[str, Any]:
    """The request log and refresh counts."""
    result: dict[str, Any] = HTTP.get(f"{sim.url}/_simulator/requests").json()
    return result
