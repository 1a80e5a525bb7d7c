"""The built-in providers, registered through the `builtin` entry point like any plugin."""

from __future__ import annotations

from adapters.config import AdapterConfig
from adapters.hookspecs import hookimpl
from adapters.provider import Provider


@hookimpl
def switchboard_providers(config: AdapterConfig) -> list[Provider]:
    """OpenAI, Anthropic, Gemini, Groq, OpenAI-compatible servers and credential-file logins."""
    # Imported here so that loading the plugin list stays cheap until providers are built.
    from adapters.anthropic.provider import AnthropicProvider
    from adapters.gemini.provider import GeminiProvider
    from adapters.oauth.claude_code import ClaudeCodeProvider
    from adapters.oauth.gemini_cli import GeminiCliProvider
    from adapters.oauth.qwen_code import QwenCodeProvider
    from adapters.openai_chat.compatible import OpenAICompatibleProvider
    from adapters.openai_chat.groq import GroqProvider
    from adapters.openai_chat.openai import OpenAIProvider

    return [
        OpenAIProvider(config),
        AnthropicProvider(config),
        GeminiProvider(config),
        GroqProvider(config),
        OpenAICompatibleProvider(config),
        GeminiCliProvider(config),
        ClaudeCodeProvider(config),
        QwenCodeProvider(config),
    ]
