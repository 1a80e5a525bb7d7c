"""Settings the adapters need, passed in by the app (adapters never read the app's settings).

Each base URL means exactly what its SDK calls `base_url`, so pointing a provider at the
simulator or a proxy is one value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class AdapterConfig:
    """Endpoints, OAuth clients and timeouts for every built-in provider."""

    openai_base_url: str = "https://api.openai.com/v1"
    anthropic_base_url: str = "https://api.anthropic.com"
    gemini_base_url: str = "https://generativelanguage.googleapis.com"
    groq_base_url: str = "https://api.groq.com/openai/v1"
    code_assist_base_url: str = "https://cloudcode-pa.googleapis.com"
    qwen_default_base_url: str = "https://portal.qwen.ai/v1"
    google_token_url: str = "https://oauth2.googleapis.com/token"
    qwen_token_url: str = "https://chat.qwen.ai/api/v1/oauth2/token"
    claude_token_url: str = "https://platform.claude.com/v1/oauth/token"
    # Public installed-app clients of the vendor CLIs; the operator sets them (settings/env).
    google_oauth_client_id: str = ""
    google_oauth_client_secret: str = ""
    qwen_oauth_client_id: str = ""
    claude_oauth_client_id: str = ""
    request_timeout_s: float = 120.0
    connect_timeout_s: float = 10.0
    # The SDKs' HTTP transport: "aiohttp" (each SDK's documented DefaultAioHttpClient) or
    # "httpx" (the SDKs' default). See adapters.transport.
    http_transport: Literal["aiohttp", "httpx"] = "aiohttp"
    # Operator-only: lets OpenAI-compatible base URLs reach private addresses (local simulator,
    # an in-cluster vLLM). Off by default because it opens SSRF to the internal network.
    allow_private_base_urls: bool = False
    oauth_refresh_margin_s: int = 300
