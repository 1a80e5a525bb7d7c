"""Anthropic's Messages API through the official SDK."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import anthropic
import httpx2
from anthropic import AsyncAnthropic

from adapters.anthropic.errors import map_anthropic_error
from adapters.anthropic.translate import EventReader, to_params
from adapters.anthropic.wire import read_events
from adapters.clients import ClientCache
from adapters.errors import InvalidCredentials, ProviderError
from adapters.provider import Provider
from adapters.transport import anthropic_http_client
from adapters.types import (
    ApiKeyCredential,
    ChatRequest,
    Credential,
    Finish,
    ModelInfo,
    StreamEvent,
    ValidationResult,
)
from adapters.validation import validation_result

_VISION = ("text", "image")
# Anthropic requires max_tokens; without a request limit we ask for this much at most.
DEFAULT_MAX_TOKENS = 8_192


class AnthropicProvider(Provider):
    """Claude models, with an Anthropic API key."""

    id = "anthropic"
    display_name = "Anthropic"
    credential_kinds = ("api_key",)
    description = "Claude models from Anthropic, billed to your Anthropic account."
    expected_errors = (anthropic.AnthropicError, httpx2.HTTPError)
    modalities = _VISION
    # The pinned SDK's `messages.create` takes neither temperature nor top_p (current Claude
    # models dropped sampling parameters); requests that set them are answered with a note.
    sampling_parameters = frozenset()
    _clients: ClientCache[AsyncAnthropic] = ClientCache()

    def models(self) -> list[ModelInfo]:
        # Public list prices (USD per 1M tokens).
        return [
            self.claude("claude-sonnet-4-6", "Claude Sonnet 4.6", price=(3.00, 15.00)),
            self.claude("claude-haiku-4-5", "Claude Haiku 4.5", price=(1.00, 5.00)),
            self.claude("claude-opus-4-5", "Claude Opus 4.5", price=(5.0, 25.0)),
        ]

    def claude(self, model_id: str, name: str, *, price: tuple[float, float]) -> ModelInfo:
        """A current Claude model: 200k window, 64k output."""
        return self.entry(model_id, name, window=200_000, out=64_000, price=price)

    def client_for(self, credential: Credential | None) -> AsyncAnthropic:
        """A cached SDK client; no SDK retries, timeouts from config."""
        if not isinstance(credential, ApiKeyCredential):
            raise InvalidCredentials("Anthropic needs an API key.", provider=self.id)
        base_url = credential.base_url or self.config.anthropic_base_url
        secret = credential.secret.reveal()
        return self._clients.get(
            base_url,
            secret,
            lambda: AsyncAnthropic(
                api_key=secret,
                base_url=base_url,
                max_retries=0,
                http_client=anthropic_http_client(self.config),
                timeout=httpx2.Timeout(
                    self.config.request_timeout_s, connect=self.config.connect_timeout_s
                ),
            ),
        )

    def error(self, exc: Exception, credential: Credential | None) -> ProviderError:
        return map_anthropic_error(
            exc, provider=self.id, display=self.display_name, secrets=self.secrets(credential)
        )

    async def validate(self, credential: Credential | None) -> ValidationResult:
        try:
            await self.client_for(credential).models.list(limit=1)
        except Exception as exc:
            return validation_result(self.error(exc, credential), self.display_name)
        return validation_result(None, self.display_name)

    async def list_models(self, credential: Credential | None) -> list[ModelInfo]:
        try:
            page = await self.client_for(credential).models.list(limit=100)
        except Exception as exc:
            raise self.error(exc, credential) from None
        known = {m.id: m for m in self.models()}
        return [
            known.get(m.id)
            or ModelInfo(
                provider=self.id,
                id=m.id,
                display_name=m.display_name or m.id,
                context_window=200_000,
                max_output=DEFAULT_MAX_TOKENS,
            )
            for m in page.data
        ]

    def max_tokens(self, request: ChatRequest) -> int:
        if request.max_output_tokens is not None:
            return request.max_output_tokens
        info = self.model(request.model)
        return min(info.max_output, DEFAULT_MAX_TOKENS) if info else DEFAULT_MAX_TOKENS

    async def stream_events(
        self, request: ChatRequest, credential: Credential | None
    ) -> AsyncGenerator[StreamEvent, None]:
        wire = to_params(request, provider=self.id)
        params: dict[str, object] = {
            "model": request.model,
            "max_tokens": self.max_tokens(request),
            "messages": wire.messages,
            "stream": True,
        }
        if wire.system:
            params["system"] = wire.system
        if wire.tools:
            params["tools"] = wire.tools
        # `client.post` rather than `messages.create`: the events are read from the body's
        # lines (see `wire`); the SDK still builds and sends the request and raises its errors.
        stream = await self.client_for(credential).post(
            "/v1/messages",
            body=params,
            cast_to=object,
            stream=True,
            stream_cls=anthropic.AsyncStream[object],
        )
        assert isinstance(stream, anthropic.AsyncStream)
        reader = EventReader(provider=self.id)
        async with stream:  # closes the response
            response = stream.response
            async for event in read_events(response.aiter_bytes(), response):
                for out in reader.feed(event):
                    yield out
        if reader.finish is not None:
            yield Finish(reader.finish)
