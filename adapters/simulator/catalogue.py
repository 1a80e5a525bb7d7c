"""The model catalogue the simulator knows.

Real APIs refuse unknown models and enforce context windows and output limits; the simulator
does the same from this table so adapters meet those answers in tests instead of in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Family = Literal["openai", "anthropic", "gemini", "groq", "qwen", "compat"]


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One model: which provider family serves it and how big its windows are."""

    id: str
    family: Family
    context_window: int
    max_output: int
    display_name: str


def _m(model_id: str, family: Family, window: int, out: int, name: str) -> ModelInfo:
    return ModelInfo(model_id, family, window, out, name)


MODELS: Final[dict[str, ModelInfo]] = {
    m.id: m
    for m in (
        _m("gpt-4o", "openai", 128_000, 16_384, "GPT-4o"),
        _m("gpt-4o-mini", "openai", 128_000, 16_384, "GPT-4o mini"),
        _m("gpt-4.1", "openai", 1_047_576, 32_768, "GPT-4.1"),
        _m("claude-sonnet-4-6", "anthropic", 200_000, 64_000, "Claude Sonnet 4.6"),
        _m("claude-haiku-4-5", "anthropic", 200_000, 64_000, "Claude Haiku 4.5"),
        _m("gemini-2.5-flash", "gemini", 1_048_576, 65_536, "Gemini 2.5 Flash"),
        _m("gemini-2.5-pro", "gemini", 1_048_576, 65_536, "Gemini 2.5 Pro"),
        _m("llama-3.3-70b-versatile", "groq", 131_072, 32_768, "Llama 3.3 70B Versatile"),
        _m("gemma2-9b-it", "groq", 8_192, 8_192, "Gemma 2 9B"),
        _m("coder-model", "qwen", 131_072, 65_536, "Qwen Coder"),
        _m("local-model", "compat", 4_096, 2_048, "Local model"),
    )
}


def find_model(model_id: str, family: Family) -> ModelInfo | None:
    """Return the model only when this provider family serves it, as a real endpoint would."""
    info = MODELS.get(model_id)
    if info is None or info.family != family:
        return None
    return info


def models_of(family: Family) -> list[ModelInfo]:
    """The listing one provider's ``/models`` endpoint answers with."""
    return [m for m in MODELS.values() if m.family == family]
