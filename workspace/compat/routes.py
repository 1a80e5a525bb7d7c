"""Every gateway route, for the app to mount: OpenAI's format, then Anthropic's."""

from __future__ import annotations

from litestar.handlers import BaseRouteHandler

from workspace.compat.anthropic_routes import messages
from workspace.compat.openai_routes import chat_completions, list_models, retrieve_model

GATEWAY_ROUTE_HANDLERS: tuple[BaseRouteHandler, ...] = (
    chat_completions,
    list_models,
    retrieve_model,
    messages,
)
