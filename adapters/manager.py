"""Loading plugins and answering "which provider serves this model?".

Built-ins are found through the `switchboard.adapters` entry point exactly like third-party
plugins, so the path third parties use is the one every test exercises.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType

import pluggy

import adapters.hookspecs as hookspecs
from adapters.clients import close_clients
from adapters.config import AdapterConfig
from adapters.errors import ModelNotFound
from adapters.provider import Provider
from adapters.types import ModelInfo

ENTRYPOINT_GROUP = "switchboard.adapters"
BUILTIN_PLUGIN = "builtin"
BUILTIN_MODULE = "adapters.builtin"

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """One loaded plugin, as `switchboard adapters` lists it."""

    name: str
    version: str | None
    provider_ids: tuple[str, ...]


def make_plugin_manager(
    *, load_entrypoints: bool = True, allow: frozenset[str] | None = None
) -> pluggy.PluginManager:
    """A plugin manager with the hook specs and the allowed plugins registered.

    `allow` names the entry points that may load (None = all); the built-in plugin is loaded
    even without an installed distribution, unless the allow-list leaves it out.
    `load_entrypoints=False` loads only the built-ins (tests that want a closed world).
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    if load_entrypoints:
        load_entrypoint_plugins(pm, allow=allow)
    if _allowed(BUILTIN_PLUGIN, allow) and pm.get_plugin(BUILTIN_PLUGIN) is None:
        _register(pm, BUILTIN_PLUGIN, importlib.import_module(BUILTIN_MODULE), version=None)
    return pm


def load_entrypoint_plugins(pm: pluggy.PluginManager, *, allow: frozenset[str] | None) -> None:
    """Register every allowed `switchboard.adapters` entry point once (safe to call again)."""
    for ep in importlib.metadata.entry_points(group=ENTRYPOINT_GROUP):
        if not _allowed(ep.name, allow) or pm.get_plugin(ep.name) is not None:
            continue
        module = ep.load()
        if not isinstance(module, ModuleType):
            raise TypeError(f"entry point {ep.name!r} must name a module, got {module!r}")
        _register(pm, ep.name, module, version=ep.dist.version if ep.dist else None)


def _allowed(name: str, allow: frozenset[str] | None) -> bool:
    return allow is None or name in allow


def _register(pm: pluggy.PluginManager, name: str, module: ModuleType, version: str | None) -> None:
    if pm.is_registered(module):
        return
    pm.register(module, name=name)
    _VERSIONS[name] = version or getattr(module, "__version__", None)


# Plugin name -> distribution version, filled at registration (pluggy keeps no metadata).
_VERSIONS: dict[str, str | None] = {}


class ProviderRegistry:
    """The providers and models every loaded plugin contributes, built once per config."""

    def __init__(self, pm: pluggy.PluginManager, config: AdapterConfig | None = None) -> None:
        self._pm = pm
        self.config = config or AdapterConfig()
        self._providers: dict[str, Provider] = {}
        self._by_plugin: dict[str, list[str]] = {}
        for impl in pm.hook.switchboard_providers.get_hookimpls():
            for provider in _call(impl, self.config) or []:
                if not isinstance(provider, Provider):
                    raise TypeError(f"plugin {impl.plugin_name!r} returned {provider!r}")
                if provider.id in self._providers:
                    logger.warning(
                        "provider id %r from plugin %r ignored: already registered",
                        provider.id,
                        impl.plugin_name,
                    )
                    continue
                self._providers[provider.id] = provider
                self._by_plugin.setdefault(impl.plugin_name, []).append(provider.id)
        self._extra_models: list[ModelInfo] = []
        for impl in pm.hook.switchboard_models.get_hookimpls():
            for info in _call(impl, self.config) or []:
                if not isinstance(info, ModelInfo):
                    raise TypeError(f"plugin {impl.plugin_name!r} returned {info!r}")
                self._extra_models.append(info)

    async def aclose(self) -> None:
        """Close the SDK clients the providers opened on the running loop (the app stops)."""
        await close_clients()

    def providers(self) -> list[Provider]:
        """Every provider, in registration order."""
        return list(self._providers.values())

    def get(self, provider_id: str) -> Provider:
        """The provider with this id; `ModelNotFound` if no plugin serves it."""
        try:
            return self._providers[provider_id]
        except KeyError:
            raise ModelNotFound(
                f"No installed plugin provides {provider_id!r}.", provider=provider_id
            ) from None

    def models(self) -> list[ModelInfo]:
        """The merged catalogue: each provider's models plus plugin additions (first wins)."""
        return list(self._catalogue.values())

    @functools.cached_property
    def _catalogue(self) -> dict[str, ModelInfo]:
        """The merged catalogue by ``provider/model``, built once: the providers and plugins
        are fixed when the registry is, and their catalogues are static (no I/O)."""
        seen: dict[str, ModelInfo] = {}
        for provider in self._providers.values():
            for info in provider.models():
                seen.setdefault(info.ref, info)
        for info in self._extra_models:
            if info.provider in self._providers:
                seen.setdefault(info.ref, info)
        return seen

    def resolve_model(self, ref: str) -> tuple[Provider, ModelInfo]:
        """Split ``provider/model`` (the model may itself contain ``/``) and find both."""
        provider_id, sep, model_id = ref.partition("/")
        if not sep or not model_id:
            raise ModelNotFound(
                f"{ref!r} is not a model id; expected 'provider/model'.", provider=provider_id
            )
        provider = self.get(provider_id)
        info = self._catalogue.get(ref)
        if info is not None:
            return provider, info
        fallback = provider.model(model_id)
        if fallback is None:
            raise ModelNotFound(
                f"{provider.display_name} has no model {model_id!r}.", provider=provider_id
            )
        return provider, fallback

    def plugins_info(self) -> list[PluginInfo]:
        """Loaded plugins with versions and the provider ids each contributes."""
        return [
            PluginInfo(
                name=name,
                version=_VERSIONS.get(name),
                provider_ids=tuple(self._by_plugin.get(name, ())),
            )
            for name, _plugin in self._pm.list_name_plugin()
        ]


def _call(impl: pluggy.HookImpl, config: AdapterConfig) -> list[object]:
    # Calling each implementation on its own (instead of pm.hook...) tells us which plugin
    # returned which provider; argnames lets an implementation ask for fewer arguments.
    kwargs = {"config": config}
    result = impl.function(*(kwargs[name] for name in impl.argnames))
    if result is None:
        return []
    if not isinstance(result, Iterable):
        raise TypeError(f"plugin {impl.plugin_name!r} returned {result!r}, expected a list")
    return list(result)
