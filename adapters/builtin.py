"""The built-in API-key providers, registered through the `builtin` entry point like any plugin."""

from __future__ import annotations

from adapters.config import AdapterConfig
from adapters.hookspecs import hookimpl
from adapters.provider import Provider


@hookimpl
def switchboard_providers(config: AdapterConfig) -> list[Provider]:
    """OpenAI, Anthropic, Gemini, Groq, OpenAI-compatible servers and credential-file logins."""
    from adapters.anthropic import AnthropicProvider
    from adapters.gemini import GeminiProvider
    from adapters.groq import GroqProvider
    from adapters.oauth import oauth_providers
    from adapters.openai import OpenAIProvider
    from adapters.openai_compatible import OpenAICompatibleProvider

    return [
        OpenAIProvider(config),
        AnthropicProvider(config),
        GeminiProvider(config),
        GroqProvider(config),
        OpenAICompatibleProvider(config),
        *oauth_providers(config),
    ]
