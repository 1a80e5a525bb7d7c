"""Credential-file (subscription) providers: Gemini CLI, Claude Code and Qwen Code logins.

Vendors restrict these logins, so the providers require the operator's opt-in and carry a
terms warning in their description; the app enables them per deployment and keeps the files
personal (never a shared workspace credential).
"""

from __future__ import annotations

from adapters.config import AdapterConfig
from adapters.oauth.base import CredentialFileProvider
from adapters.oauth.files import InvalidCredentialFile
from adapters.oauth.refresh import TokenSpec

__all__ = ["CredentialFileProvider", "InvalidCredentialFile", "oauth_providers", "token_spec"]


def oauth_providers(config: AdapterConfig) -> list[CredentialFileProvider]:
    """The three credential-file providers, built with `config`."""
    from adapters.oauth.claude_code import ClaudeCodeProvider
    from adapters.oauth.gemini_cli import GeminiCliProvider
    from adapters.oauth.qwen_code import QwenCodeProvider

    return [GeminiCliProvider(config), ClaudeCodeProvider(config), QwenCodeProvider(config)]


def token_spec(provider_id: str) -> TokenSpec | None:
    """How the credential file of `provider_id` holds its tokens (None: not such a provider)."""
    from adapters.oauth.claude_code import ClaudeTokens
    from adapters.oauth.gemini_cli import GoogleTokens
    from adapters.oauth.qwen_code import QwenTokens

    specs: list[TokenSpec] = [GoogleTokens(), ClaudeTokens(), QwenTokens()]
    return next((s for s in specs if s.provider == provider_id), None)
