"""Anthropic's format: ``POST /v1/messages``, streamed or whole.

Anthropic's SDKs authenticate with ``x-api-key`` (a workspace token here; Bearer works too).
Any ``provider/model`` id works, as in OpenAI's format; the per-request key headers,
``X-Switchboard-Conversation`` and ``Idempotency-Key`` are the same. Errors are Anthropic's
``{"type": "error", "error": {...}}`` with our ``code`` inside.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, post
from litestar.middleware import DefineMiddleware
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.compat.anthropic_request import MessagesIn, to_ask
from workspace.compat.anthropic_response import Reply, sse
from workspace.compat.errors import EnvelopeMiddleware, anthropic_error
from workspace.compat.handling import open_exchange, whole_answer
from workspace.http.streams import EndingStream
from workspace.runtime.dependencies import AUTHENTICATED

ANTHROPIC_ERRORS = [DefineMiddleware(EnvelopeMiddleware, envelope=anthropic_error)]


@post(
    "/v1/messages",
    opt={"access": AUTHENTICATED},
    operation_id="anthropic_messages",
    middleware=ANTHROPIC_ERRORS,
    status_code=200,
)
async def messages(
    request: Request[Any, Any, Any],
    data: MessagesIn,
    db: AsyncSession,
) -> Response[Any]:
    """A message in Anthropic's format, streamed (``stream: true``) or whole."""
    exchange = await open_exchange(request, "anthropic", data, to_ask(data), db)
    reply = Reply(data.model)
    if data.stream:
        return EndingStream(
            sse(reply, exchange.events(), exchange.buffered),
            media_type="text/event-stream",
            headers=exchange.headers(),
            background=exchange.after_delivery(),
        )
    return await whole_answer(exchange, db, reply.whole, anthropic_error)
