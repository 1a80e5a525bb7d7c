"""The simulator serves exactly the models the adapters declare (plus its own extras)."""

from __future__ import annotations

import pytest
from openai import AsyncOpenAI

from adapters.config import AdapterConfig
from adapters.manager import ProviderRegistry, make_plugin_manager
from adapters.simulator.catalogue import (
    PROVIDER_FAMILIES,
    SIMULATOR_ONLY,
    CatalogueConflict,
    ModelInfo,
    build_catalogue,
    catalogue,
    find_model,
    models_of,
)
from adapters.simulator.server import RunningSimulator
from adapters.types import ModelInfo as AdapterModel


def test_every_model_the_picker_offers_is_served_with_the_declared_limits() -> None:
    registry = ProviderRegistry(make_plugin_manager(load_entrypoints=False), AdapterConfig())
    offered = [m for m in registry.models() if m.provider in PROVIDER_FAMILIES]

    missing = [
        m.ref
        for m in offered
        if (served := find_model(m.id, PROVIDER_FAMILIES[m.provider])) is None
        or (served.context_window, served.max_output) != (m.context_window, m.max_output)
    ]

    assert len(offered) >= 22
    assert missing == []


def test_only_simulator_extras_are_not_declared_by_an_adapter() -> None:
    registry = ProviderRegistry(make_plugin_manager(load_entrypoints=False), AdapterConfig())
    declared = {(PROVIDER_FAMILIES[m.provider], m.id) for m in registry.models()}

    extras = set(catalogue()) - declared

    assert extras == {(m.family, m.id) for m in SIMULATOR_ONLY}


def test_a_model_is_refused_by_another_family_as_a_real_endpoint_would() -> None:
    assert find_model("gpt-4.1-mini", "openai") is not None
    assert find_model("gpt-4.1-mini", "groq") is None
    assert find_model("no-such-model", "openai") is None
    assert [m.id for m in models_of("compat")] == ["local-model"]


def test_two_adapters_disagreeing_about_a_window_is_refused() -> None:
    a = AdapterModel("anthropic", "claude-x", "Claude X", 200_000, 64_000)
    b = AdapterModel("claude_code", "claude-x", "Claude X", 100_000, 64_000)

    with pytest.raises(CatalogueConflict, match="claude-x"):
        build_catalogue([("anthropic", a), ("anthropic", b)])


def test_the_same_model_declared_twice_alike_is_one_entry_and_extras_never_override() -> None:
    a = AdapterModel("anthropic", "claude-x", "Claude X", 200_000, 64_000)
    b = AdapterModel("claude_code", "claude-x", "Claude X (login)", 200_000, 64_000)
    extra = ModelInfo("claude-x", "anthropic", 1, 1, "shadow")

    built = build_catalogue([("anthropic", a), ("anthropic", b)], [extra])

    assert built == {
        ("anthropic", "claude-x"): ModelInfo("claude-x", "anthropic", 200_000, 64_000, "Claude X")
    }


async def test_newly_declared_openai_models_are_listed_and_answer(sim: RunningSimulator) -> None:
    client = AsyncOpenAI(base_url=f"{sim.url}/v1", api_key="sk-x", max_retries=0)

    listed = {m.id async for m in client.models.list()}
    answer = await client.chat.completions.create(
        model="o4-mini", messages=[{"role": "user", "content": "hi"}]
    )

    assert {"gpt-4.1-mini", "gpt-4.1-nano", "o3", "o4-mini"} <= listed
    assert answer.choices[0].message.content
