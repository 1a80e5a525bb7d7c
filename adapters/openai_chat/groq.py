"""Groq, which speaks OpenAI chat completions at its own base URL."""

from __future__ import annotations

from dataclasses import replace

from adapters.openai_chat.provider import OpenAIChatProvider
from adapters.types import ApiKeyCredential, ModelInfo


class GroqProvider(OpenAIChatProvider):
    """Open-weight models served fast by Groq."""

    id = "groq"
    display_name = "Groq"
    credential_kinds = ("api_key",)
    description = "Llama, Gemma and other open models on Groq's LPU inference."

    def base_url_for(self, credential: ApiKeyCredential) -> str:
        return credential.base_url or self.config.groq_base_url

    def models(self) -> list[ModelInfo]:
        # Public on-demand prices (USD per 1M tokens).
        return [
            self.entry(
                "llama-3.3-70b-versatile",
                "Llama 3.3 70B Versatile",
                window=131_072,
                out=32_768,
                price=(0.59, 0.79),
            ),
            self.entry(
                "llama-3.1-8b-instant",
                "Llama 3.1 8B Instant",
                window=131_072,
                out=131_072,
                price=(0.05, 0.08),
            ),
            self.entry("gemma2-9b-it", "Gemma 2 9B", window=8_192, out=8_192, price=(0.20, 0.20)),
            # Groq's vision model: images travel as OpenAI-style image_url parts.
            replace(
                self.entry(
                    "meta-llama/llama-4-scout-17b-16e-instruct",
                    "Llama 4 Scout",
                    window=131_072,
                    out=8_192,
                    price=(0.11, 0.34),
                ),
                modalities=("text", "image"),
            ),
        ]
