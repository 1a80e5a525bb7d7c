"""The model catalogue the simulator knows, taken from the models the adapters declare.

Real APIs refuse unknown models and enforce context windows and output limits; the simulator
does the same so adapters meet those answers in tests instead of in production. Which models
exist is not written down here: it is every model the built-in providers declare in their
static ``models()``, the same list the app's model picker shows, so the picker can never offer
a model the simulator refuses. Only models no adapter declares (the OpenAI-compatible
``local-model``, OpenAI's ``gpt-sim-unlisted``) are added here as simulator-only extras.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Final, Literal

import adapters.types as types

Family = Literal["openai", "anthropic", "gemini", "groq", "qwen", "compat"]

PROVIDER_FAMILIES: Final[dict[str, Family]] = {
    "openai": "openai",
    "anthropic": "anthropic",
    "claude_code": "anthropic",  # Claude Code logins call the Messages API with a Bearer token
    "gemini": "gemini",
    "gemini_cli": "gemini",  # Code Assist serves the Gemini models
    "groq": "groq",
    "qwen_code": "qwen",
}
"""Which wire family serves each built-in provider's models."""


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One model: which provider family serves it and how big its windows are."""

    id: str
    family: Family
    context_window: int
    max_output: int
    display_name: str


SIMULATOR_ONLY: Final = (
    ModelInfo("local-model", "compat", 4_096, 2_048, "Local model"),
    ModelInfo("gpt-sim-unlisted", "openai", 32_000, 4_096, "GPT sim unlisted"),
)
"""What a user-run OpenAI-compatible server might serve (a small window, to test overflows),
and a model OpenAI lists that no adapter declares (no known price: the app's catalogue finds it
only in the provider's own listing)."""


class CatalogueConflict(ValueError):
    """Two adapters declare the same model of one family with different limits."""


def build_catalogue(
    declared: Iterable[tuple[Family, types.ModelInfo]], extras: Iterable[ModelInfo] = ()
) -> dict[tuple[Family, str], ModelInfo]:
    """Merge declared models by (family, id); a disagreement about limits is an adapter bug.

    Two providers may declare one model (an API key and a subscription login both reach
    Claude Sonnet); a real endpoint has one window per model, so they must agree.
    """
    out: dict[tuple[Family, str], ModelInfo] = {}
    for family, model in declared:
        info = ModelInfo(
            model.id, family, model.context_window, model.max_output, model.display_name
        )
        known = out.get((family, model.id))
        if known is not None and (known.context_window, known.max_output) != (
            info.context_window,
            info.max_output,
        ):
            raise CatalogueConflict(
                f"{model.provider} declares {family} model {model.id!r} with window "
                f"{info.context_window}/{info.max_output}, another provider with "
                f"{known.context_window}/{known.max_output}; make the adapters agree"
            )
        out.setdefault((family, model.id), info)
    for extra in extras:
        out.setdefault((extra.family, extra.id), extra)
    return out


def declared_models() -> list[tuple[Family, types.ModelInfo]]:
    """Every model the built-in providers declare, with the family that serves it.

    A built-in provider that declares models but has no family here fails loudly, so a new
    adapter cannot quietly offer models the simulator would refuse.
    """
    from adapters.builtin import switchboard_providers
    from adapters.config import AdapterConfig

    out: list[tuple[Family, types.ModelInfo]] = []
    for provider in switchboard_providers(config=AdapterConfig()):
        models = provider.models()
        family = PROVIDER_FAMILIES.get(provider.id)
        if family is None:
            if models and not provider.serves_any_model:
                raise CatalogueConflict(
                    f"the simulator has no wire family for provider {provider.id!r}; "
                    "add it to PROVIDER_FAMILIES in adapters/simulator/catalogue.py"
                )
            continue
        out.extend((family, model) for model in models)
    return out


@cache
def catalogue() -> dict[tuple[Family, str], ModelInfo]:
    """The simulator's catalogue, built once (the adapters' lists are static)."""
    return build_catalogue(declared_models(), SIMULATOR_ONLY)


def find_model(model_id: str, family: Family) -> ModelInfo | None:
    """Return the model only when this provider family serves it, as a real endpoint would."""
    return catalogue().get((family, model_id))


def models_of(family: Family) -> list[ModelInfo]:
    """The listing one provider's ``/models`` endpoint answers with."""
    return [m for m in catalogue().values() if m.family == family]
