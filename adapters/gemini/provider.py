"""Google Gemini (AI Studio keys) through the google-genai SDK."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass

from google import genai
from google.genai import errors as genai_errors
from google.genai import types as gt

from adapters.clients import ClientCache
from adapters.errors import InvalidCredentials, ProviderError
from adapters.gemini.errors import map_gemini_error
from adapters.gemini.translate import ResponseReader, to_params
from adapters.provider import Provider
from adapters.types import (
    ApiKeyCredential,
    ChatRequest,
    Credential,
    ModelInfo,
    StreamEvent,
    ValidationResult,
)
from adapters.validation import validation_result

MULTIMODAL = ("text", "image", "audio", "video")


@dataclass(frozen=True, slots=True)
class _Client:
    """The async half of a genai client, closable by the cache."""

    aio: genai.client.AsyncClient

    async def close(self) -> None:
        await self.aio.aclose()

    def __repr__(self) -> str:
        return "<gemini client>"


class GeminiProvider(Provider):
    """Gemini models with a Google AI Studio API key."""

    id = "gemini"
    display_name = "Google Gemini"
    credential_kinds = ("api_key",)
    description = "Gemini models from Google AI Studio, billed to your Google account."
    expected_errors = (genai_errors.APIError,)
    modalities = MULTIMODAL
    _clients: ClientCache[_Client] = ClientCache()

    def models(self) -> list[ModelInfo]:
        # Public paid-tier prices for prompts up to 200k tokens (USD per 1M tokens).
        return [
            self.gemini("gemini-2.5-flash", "Gemini 2.5 Flash", price=(0.30, 2.50)),
            self.gemini("gemini-2.5-pro", "Gemini 2.5 Pro", price=(1.25, 10.00)),
            self.gemini("gemini-2.5-flash-lite", "Gemini 2.5 Flash-Lite", price=(0.10, 0.40)),
        ]

    def gemini(self, model_id: str, name: str, *, price: tuple[float, float]) -> ModelInfo:
        """A Gemini 2.5 model: 1M-token window, 64k output."""
        return self.entry(model_id, name, window=1_048_576, out=65_536, price=price)

    def client_for(self, credential: Credential | None) -> genai.client.AsyncClient:
        """A cached SDK client with SDK retries disabled and timeouts from config."""
        if not isinstance(credential, ApiKeyCredential):
            raise InvalidCredentials("Gemini needs an API key.", provider=self.id)
        base_url = credential.base_url or self.config.gemini_base_url
        secret = credential.secret.reveal()

        def make() -> _Client:
            options = gt.HttpOptions(
                base_url=base_url,
                timeout=int(self.config.request_timeout_s * 1000),
                retry_options=gt.HttpRetryOptions(attempts=1),
            )
            return _Client(genai.Client(api_key=secret, vertexai=False, http_options=options).aio)

        return self._clients.get(base_url, secret, make).aio

    def error(self, exc: Exception, credential: Credential | None) -> ProviderError:
        return map_gemini_error(
            exc, provider=self.id, display=self.display_name, secrets=self.secrets(credential)
        )

    async def validate(self, credential: Credential | None) -> ValidationResult:
        try:
            await self.client_for(credential).models.list(config={"page_size": 1})
        except Exception as exc:
            return validation_result(self.error(exc, credential), self.display_name)
        return validation_result(None, self.display_name)

    async def list_models(self, credential: Credential | None) -> list[ModelInfo]:
        known = {m.id: m for m in self.models()}
        out: list[ModelInfo] = []
        try:
            pager = await self.client_for(credential).models.list(config={"page_size": 100})
            async for model in pager:
                model_id = (model.name or "").removeprefix("models/")
                if not model_id:
                    continue
                out.append(
                    known.get(model_id)
                    or ModelInfo(
                        provider=self.id,
                        id=model_id,
                        display_name=model.display_name or model_id,
                        context_window=model.input_token_limit or self.default_context_window,
                        max_output=model.output_token_limit or self.default_max_output,
                    )
                )
        except Exception as exc:
            raise self.error(exc, credential) from None
        return out

    async def stream_events(
        self, request: ChatRequest, credential: Credential | None
    ) -> AsyncGenerator[StreamEvent, None]:
        wire = to_params(request)
        config = gt.GenerateContentConfig(
            system_instruction=wire.system_instruction,
            tools=list(wire.tools) or None,
            max_output_tokens=request.max_output_tokens,
            temperature=request.temperature,
            top_p=request.top_p,
            automatic_function_calling=gt.AutomaticFunctionCallingConfig(disable=True),
        )
        chunks = await self.client_for(credential).models.generate_content_stream(
            model=request.model, contents=list(wire.contents), config=config
        )
        reader = ResponseReader()
        async for chunk in chunks:
            for event in reader.feed(chunk):
                yield event
        for event in reader.ending():
            yield event
