"""The plugin manager: built-ins load like third-party plugins, and the allow-list filters both."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters import builtin
from adapters.errors import ModelNotFound
from adapters.manager import ProviderRegistry, load_entrypoint_plugins, make_plugin_manager
from adapters.types import ChatRequest, Finish, Message, Text, TextDelta

FIXTURES = Path(__file__).parent / "fixtures"
BUILTIN_IDS = [
    "openai",
    "anthropic",
    "gemini",
    "groq",
    "openai_compatible",
    "gemini_cli",
    "claude_code",
    "qwen_code",
]


@pytest.fixture
def echo_plugin_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Install `sb_echo_plugin` as a distribution with a `switchboard.adapters` entry point."""
    dist = tmp_path / "sb_echo_plugin-1.2.3.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: sb-echo-plugin\nVersion: 1.2.3\n")
    (dist / "entry_points.txt").write_text("[switchboard.adapters]\necho = sb_echo_plugin\n")
    monkeypatch.syspath_prepend(str(FIXTURES))
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    yield
    sys.modules.pop("sb_echo_plugin", None)


def test_builtin_plugin_is_found_through_its_entry_point() -> None:
    pm = make_plugin_manager()

    assert pm.get_plugin("builtin") is builtin
    assert [p.id for p in ProviderRegistry(pm).providers()] == BUILTIN_IDS


def test_loading_twice_registers_nothing_new() -> None:
    pm = make_plugin_manager()
    before = pm.list_name_plugin()

    load_entrypoint_plugins(pm, allow=None)

    assert pm.list_name_plugin() == before


def test_builtins_are_registered_even_without_entry_points() -> None:
    registry = ProviderRegistry(make_plugin_manager(load_entrypoints=False))

    assert [p.id for p in registry.providers()] == BUILTIN_IDS


def test_allow_list_can_exclude_the_builtins() -> None:
    registry = ProviderRegistry(make_plugin_manager(allow=frozenset({"something-else"})))

    assert registry.providers() == []


def test_third_party_plugin_serves_a_model_and_is_listed(echo_plugin_installed: None) -> None:
    registry = ProviderRegistry(make_plugin_manager())

    provider, info = registry.resolve_model("echo/echo-1")
    plugins = {p.name: p for p in registry.plugins_info()}

    assert info.input_price_per_mtok == 0.0
    assert provider.id == "echo"
    assert plugins["echo"].version == "1.2.3"
    assert plugins["echo"].provider_ids == ("echo",)
    assert plugins["builtin"].provider_ids == tuple(BUILTIN_IDS)


async def test_third_party_provider_streams(echo_plugin_installed: None) -> None:
    provider, info = ProviderRegistry(make_plugin_manager()).resolve_model("echo/echo-1")

    events = [
        e
        async for e in provider.stream(
            ChatRequest(info.id, (Message("user", (Text("ping"),)),)), None
        )
    ]

    assert events[0] == TextDelta("ping")
    assert events[-1] == Finish("stop")


def test_plugin_can_add_a_model_to_another_provider(echo_plugin_installed: None) -> None:
    registry = ProviderRegistry(make_plugin_manager())

    provider, info = registry.resolve_model("openai/gpt-echo-preview")

    assert provider.id == "openai"
    assert info.ref in {m.ref for m in registry.models()}


def test_allow_list_excludes_a_third_party_plugin(echo_plugin_installed: None) -> None:
    registry = ProviderRegistry(make_plugin_manager(allow=frozenset({"builtin"})))

    assert "echo" not in [p.name for p in registry.plugins_info()]
    with pytest.raises(ModelNotFound):
        registry.resolve_model("echo/echo-1")
    with pytest.raises(ModelNotFound):
        registry.resolve_model("openai/gpt-echo-preview")


def test_openai_compatible_serves_unknown_models_with_unknown_prices() -> None:
    registry = ProviderRegistry(make_plugin_manager(load_entrypoints=False))

    provider, info = registry.resolve_model("openai_compatible/meta-llama/Llama-3-8B")

    assert provider.id == "openai_compatible"
    assert info.id == "meta-llama/Llama-3-8B"
    assert info.input_price_per_mtok is None
    assert info.output_price_per_mtok is None


@pytest.mark.parametrize("ref", ["openai/no-such-model", "nobody/gpt-4o", "gpt-4o", "openai/"])
def test_unknown_models_are_refused(ref: str) -> None:
    registry = ProviderRegistry(make_plugin_manager(load_entrypoints=False))

    with pytest.raises(ModelNotFound):
        registry.resolve_model(ref)


def test_catalogue_has_prices_and_windows_for_builtin_models() -> None:
    registry = ProviderRegistry(make_plugin_manager(load_entrypoints=False))

    for info in registry.models():
        assert info.context_window > 0
        assert info.max_output > 0
        assert info.input_price_per_mtok is not None
    assert registry.resolve_model("groq/gemma2-9b-it")[1].context_window == 8_192
