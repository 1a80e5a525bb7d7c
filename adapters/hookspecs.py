"""The plugin contract: every provider, built-in or third-party, arrives through these hooks.

A plugin is a module (named by a `switchboard.adapters` entry point) with `@hookimpl` functions.
An implementation may accept fewer arguments than the spec, so adding an argument later never
breaks an old plugin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from adapters.config import AdapterConfig
    from adapters.provider import Provider
    from adapters.types import ModelInfo

PROJECT = "switchboard"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def switchboard_providers(config: AdapterConfig) -> list[Provider]:
    """Return the providers this plugin serves, built with `config` (endpoints, timeouts)."""
    raise NotImplementedError


@hookspec
def switchboard_models(config: AdapterConfig) -> list[ModelInfo]:
    """Return extra catalogue entries, possibly for another plugin's provider (by `provider`)."""
    raise NotImplementedError
