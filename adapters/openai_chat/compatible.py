"""Any server that speaks OpenAI chat completions at a base URL the user gives (Ollama, vLLM,
OpenRouter, Mistral...). The URL is user input, so every call goes through the SSRF guard and a
transport pinned to the vetted address.
"""

from __future__ import annotations

import httpx2
from openai import AsyncOpenAI

from adapters.errors import BadRequest
from adapters.openai_chat.provider import OpenAIChatProvider
from adapters.ssrf import Resolver, check_base_url, guarded_http_client, system_resolver
from adapters.types import ApiKeyCredential, Credential, ModelInfo


class OpenAICompatibleProvider(OpenAIChatProvider):
    """A user-run or third-party OpenAI-compatible endpoint; serves whatever model it is asked."""

    id = "openai_compatible"
    display_name = "OpenAI-compatible server"
    credential_kinds = ("api_key",)
    description = "Your own endpoint (Ollama, vLLM, OpenRouter, ...) at a base URL you enter."
    serves_any_model = True
    needs_base_url = True
    max_tokens_param = "max_tokens"
    # Tests inject a resolver to play DNS tricks; production uses the system's.
    resolver: Resolver = staticmethod(system_resolver)

    def base_url_for(self, credential: ApiKeyCredential) -> str:
        if not credential.base_url:
            raise BadRequest(
                "An OpenAI-compatible credential needs a base URL (for example "
                "https://openrouter.ai/api/v1).",
                provider=self.id,
            )
        return credential.base_url

    async def vet_base_url(self, base_url: str) -> None:
        await check_base_url(
            base_url, allow_private=self.config.allow_private_base_urls, resolver=self.resolver
        )

    async def client_for(self, credential: Credential | None) -> AsyncOpenAI:
        # Vet before every call (the URL is user input, DNS may have changed), then let the
        # pinned transport re-check at connect time.
        if isinstance(credential, ApiKeyCredential) and credential.base_url:
            await self.vet_base_url(credential.base_url)
        return await super().client_for(credential)

    def http_client(self) -> httpx2.AsyncClient | None:
        return guarded_http_client(
            allow_private=self.config.allow_private_base_urls,
            timeout=self.timeout(),
            resolver=self.resolver,
        )

    def models(self) -> list[ModelInfo]:
        return []
