"""Shared fixtures for the adapter tests: the provider simulator and a registry aimed at it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from adapters.config import AdapterConfig
from adapters.manager import ProviderRegistry, make_plugin_manager
from adapters.simulator.server import RunningSimulator, serve_in_thread


@pytest.fixture(scope="session")
def simulator() -> Iterator[RunningSimulator]:
    sim = serve_in_thread(port=0)
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture
def sim(simulator: RunningSimulator) -> Iterator[RunningSimulator]:
    """The simulator with no scenario installed and an empty request log, before and after."""
    httpx.delete(f"{simulator.url}/_simulator/scenario")
    httpx.delete(f"{simulator.url}/_simulator/requests")
    yield simulator
    httpx.delete(f"{simulator.url}/_simulator/scenario")


@pytest.fixture(params=["aiohttp", "httpx"])
def sim_config(request: pytest.FixtureRequest, sim: RunningSimulator) -> AdapterConfig:
    """Aimed at the simulator, over each HTTP transport the SDKs can use (adapters.transport):
    every adapter test runs on both."""
    return AdapterConfig(
        http_transport=request.param,
        openai_base_url=f"{sim.url}/v1",
        anthropic_base_url=sim.url,
        gemini_base_url=sim.url,
        groq_base_url=f"{sim.url}/openai/v1",
        allow_private_base_urls=True,
        request_timeout_s=10.0,
        connect_timeout_s=2.0,
    )


@pytest.fixture
def registry(sim_config: AdapterConfig) -> ProviderRegistry:
    return ProviderRegistry(make_plugin_manager(load_entrypoints=False), sim_config)
