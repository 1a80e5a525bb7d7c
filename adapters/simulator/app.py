"""Litestar application factory for the provider simulator.

One app serves every provider's wire format on distinct paths, except ``GET /v1/models`` which
OpenAI, Anthropic and (google-genai 3.x, API version ``v1``) Gemini all call; it is routed by
the credential header each SDK sends (``x-goog-api-key`` -> Gemini, ``x-api-key`` or
``anthropic-version`` -> Anthropic, otherwise OpenAI).
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request, Response, get

from adapters.simulator import anthropic_wire, gemini_wire, openai_wire
from adapters.simulator.anthropic_wire import anthropic_routes
from adapters.simulator.catalogue import catalogue
from adapters.simulator.code_assist_wire import code_assist_routes
from adapters.simulator.control import control_routes
from adapters.simulator.gemini_wire import gemini_routes
from adapters.simulator.oauth_tokens import oauth_routes
from adapters.simulator.openai_wire import openai_routes
from adapters.simulator.state import SimulatorState

MAX_BODY_BYTES = 64 * 1024 * 1024
"""Large enough for a prompt filling a 1M-token window plus images (Litestar's default is 10 MB)."""


def create_app(state: SimulatorState | None = None) -> Litestar:
    """Build the simulator app; pass a state to share or inspect it in-process."""
    state = state if state is not None else SimulatorState()
    catalogue()  # built from the adapters' declarations now, not on the first request

    @get("/v1/models")
    async def v1_models(request: Request[Any, Any, Any]) -> Response[bytes]:
        """``GET /v1/models``, shared by three SDKs and told apart by their auth headers."""
        headers = request.headers
        if "x-goog-api-key" in headers or "key" in request.query_params:
            return gemini_wire.list_models(state, request)
        if "x-api-key" in headers or "anthropic-version" in headers:
            return anthropic_wire.list_models(state, request)
        return openai_wire.list_models(state, request)

    @get("/v1/models/{target:str}")
    async def v1_model(request: Request[Any, Any, Any], target: str) -> Response[bytes]:
        """``GET /v1/models/{id}`` (retrieve one model), told apart like the listing."""
        headers = request.headers
        if "x-goog-api-key" in headers or "key" in request.query_params:
            return gemini_wire.list_models(state, request, only=target)
        if "x-api-key" in headers or "anthropic-version" in headers:
            return anthropic_wire.list_models(state, request, only=target)
        return openai_wire.list_models(state, request, only=target)

    app = Litestar(
        route_handlers=[
            v1_models,
            v1_model,
            *openai_routes(state),
            *anthropic_routes(state),
            *gemini_routes(state),
            *code_assist_routes(state),
            *oauth_routes(state),
            *control_routes(state),
        ],
        openapi_config=None,
        logging_config=None,
        debug=False,
        request_max_body_size=MAX_BODY_BYTES,
    )
    app.state.simulator = state
    return app
