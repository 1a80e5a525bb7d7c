"""OpenAI, through the official SDK's chat completions."""

from __future__ import annotations

from adapters.openai_chat.provider import OpenAIChatProvider
from adapters.types import ApiKeyCredential, ModelInfo


class OpenAIProvider(OpenAIChatProvider):
    """OpenAI's hosted models (GPT-4o, GPT-4.1 families)."""

    id = "openai"
    display_name = "OpenAI"
    credential_kinds = ("api_key",)
    description = "GPT models from OpenAI, billed to your OpenAI account."
    modalities = ("text", "image")

    def base_url_for(self, credential: ApiKeyCredential) -> str:
        return credential.base_url or self.config.openai_base_url

    def models(self) -> list[ModelInfo]:
        # Public list prices (USD per 1M tokens, standard tier).
        return [
            self.entry("gpt-4o", "GPT-4o", window=128_000, out=16_384, price=(2.50, 10.00)),
            self.entry(
                "gpt-4o-mini", "GPT-4o mini", window=128_000, out=16_384, price=(0.15, 0.60)
            ),
            self.entry("gpt-4.1", "GPT-4.1", window=1_047_576, out=32_768, price=(2.00, 8.00)),
            self.entry(
                "gpt-4.1-mini", "GPT-4.1 mini", window=1_047_576, out=32_768, price=(0.40, 1.60)
            ),
            self.entry(
                "gpt-4.1-nano", "GPT-4.1 nano", window=1_047_576, out=32_768, price=(0.10, 0.40)
            ),
            self.entry("o3", "o3", window=200_000, out=100_000, price=(2.00, 8.00)),
            self.entry("o4-mini", "o4-mini", window=200_000, out=100_000, price=(1.10, 4.40)),
        ]
