"""The bridge from the app's settings to the adapters' plugin registry."""

from __future__ import annotations

from adapters import AdapterConfig, ProviderRegistry, make_plugin_manager
from workspace.config.settings import Settings


def adapter_config(settings: Settings) -> AdapterConfig:
    return AdapterConfig(
        openai_base_url=settings.openai_base_url,
        anthropic_base_url=settings.anthropic_base_url,
        gemini_base_url=settings.gemini_base_url,
        groq_base_url=settings.groq_base_url,
        code_assist_base_url=settings.code_assist_base_url,
        google_token_url=settings.google_token_url,
        qwen_token_url=settings.qwen_token_url,
        claude_token_url=settings.claude_token_url,
        request_timeout_s=settings.provider_timeout_s,
        connect_timeout_s=settings.provider_connect_timeout_s,
        http_transport=settings.provider_http_transport,
        allow_private_base_urls=settings.allow_private_base_urls,
        google_oauth_client_id=settings.google_oauth_client_id,
        google_oauth_client_secret=settings.google_oauth_client_secret,
        qwen_oauth_client_id=settings.qwen_oauth_client_id,
        claude_oauth_client_id=settings.claude_oauth_client_id,
        oauth_refresh_margin_s=settings.oauth_refresh_margin_s,
    )


def make_registry(settings: Settings) -> ProviderRegistry:
    allow = frozenset(p.strip() for p in settings.adapters_allow.split(",") if p.strip()) or None
    return ProviderRegistry(make_plugin_manager(allow=allow), adapter_config(settings))
