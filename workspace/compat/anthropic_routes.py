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
from litestar.response import Stream
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts.principal import Principal
from workspace.audit.service import Actor
from workspace.compat.anthropic_request import MessagesIn, to_ask
from workspace.compat.anthropic_response import Reply, sse
from workspace.compat.caller import conversation_ref, gateway_member, request_key
from workspace.compat.errors import EnvelopeMiddleware, anthropic_error, status_of
from workspace.compat.exchange import start_exchange
from workspace.compat.idempotent import keyed
from workspace.runtime import Runtime
from workspace.runtime.dependencies import AUTHENTICATED
from workspace.teams.roles import Permission as P

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
    principal: Principal,
    actor: Actor,
    db: AsyncSession,
    runtime: Runtime,
) -> Response[Any]:
    """A message in Anthropic's format, streamed (``stream: true``) or whole."""
    member = await gateway_member(db, principal, P.MODELS_USE, runtime.live_lookups())
    conversation = conversation_ref(request)
    exchange = await start_exchange(
        runtime,
        db,
        member,
        actor,
        to_ask(data),
        request_key=request_key(request),
        conversation=conversation,
        keyed=keyed(request, "anthropic", member, conversation, data),
    )
    headers, reply = exchange.headers(), Reply(data.model)
    if data.stream:
        return Stream(
            sse(reply, exchange.events()), media_type="text/event-stream", headers=headers
        )
    # Committed before the model is called, as for a stream: see openai_routes.
    await db.commit()
    answer = await exchange.run()
    if answer.error is not None and not answer.text and not answer.tool_calls:
        code = answer.error.code
        error = anthropic_error(code, answer.error.message)
        return Response(error, status_code=status_of(code), headers=exchange.headers())
    return Response(reply.whole(answer), headers=exchange.headers())
