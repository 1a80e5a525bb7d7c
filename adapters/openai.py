"""OpenAI, through the official SDK's chat completions."""

from __future__ import annotations

from adapters.openai_chat import OpenAIChatProvider
from adapters.types import ApiKeyCredential, ModelInfo

_VISION = ("text", "image")


class OpenAIProvider(OpenAIChatProvider):
    """OpenAI's hosted models (GPT-4o, GPT-4.1 families)."""

    id = "openai"
    display_name = "OpenAI"
    credential_kinds = ("api_key",)
    description = "GPT models from OpenAI, billed to your OpenAI account."

    def base_url_for(self, credential: ApiKeyCredential) -> str:
        return credential.base_url or self.config.openai_base_url

    def models(self) -> list[ModelInfo]:
        # Public list prices (USD per 1M tokens, standard tier).
        return [
            ModelInfo("openai", "gpt-4o", "GPT-4o", 128_000, 16_384, _VISION, 2.50, 10.00),
            ModelInfo("openai", "gpt-4o-mini", "GPT-4o mini", 128_000, 16_384, _VISION, 0.15, 0.60),
            ModelInfo("openai", "gpt-4.1", "GPT-4.1", 1_047_576, 32_768, _VISION, 2.00, 8.00),
            ModelInfo(
                "openai", "gpt-4.1-mini", "GPT-4.1 mini", 1_047_576, 32_768, _VISION, 0.40, 1.60
            ),
            ModelInfo(
                "openai", "gpt-4.1-nano", "GPT-4.1 nano", 1_047_576, 32_768, _VISION, 0.10, 0.40
            ),
            ModelInfo("openai", "o3", "o3", 200_000, 100_000, _VISION, 2.00, 8.00),
            ModelInfo("openai", "o4-mini", "o4-mini", 200_000, 100_000, _VISION, 1.10, 4.40),
        ]
