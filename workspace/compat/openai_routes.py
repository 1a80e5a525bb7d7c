"""OpenAI's format: ``POST /v1/chat/completions``, ``GET /v1/models`` and ``/v1/models/{id}``.

Any ``provider/model`` id works, whichever provider serves it (the adapters translate, as in
chat). ``X-Provider`` + ``X-Provider-Key`` send a key for this request only;
``X-Switchboard-Conversation: new|<id>`` records the exchange as a conversation, whose id comes
back in the same header; an ``Idempotency-Key`` replays a retry's first answer (see
:mod:`.idempotent`). Errors are OpenAI's ``{"error": {...}}`` with our ``code``.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.middleware import DefineMiddleware
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts.principal import SCOPE_OPT, Principal
from workspace.compat.caller import gateway_member
from workspace.compat.errors import EnvelopeMiddleware, openai_error
from workspace.compat.handling import open_exchange, whole_answer
from workspace.compat.openai_request import ChatCompletionIn, to_ask
from workspace.compat.openai_response import Completion, sse
from workspace.errors import NotFound
from workspace.http.streams import EndingStream
from workspace.keys.policy import catalogue
from workspace.keys.schemas import ModelOut
from workspace.runtime import Runtime
from workspace.runtime.dependencies import AUTHENTICATED
from workspace.teams.roles import Permission as P

OPENAI_ERRORS = [DefineMiddleware(EnvelopeMiddleware, envelope=openai_error)]


@post(
    "/v1/chat/completions",
    opt={"access": AUTHENTICATED},
    operation_id="openai_chat_completions",
    middleware=OPENAI_ERRORS,
    status_code=200,
)
async def chat_completions(
    request: Request[Any, Any, Any],
    data: ChatCompletionIn,
    db: AsyncSession,
) -> Response[Any]:
    """A chat completion in OpenAI's format, streamed (``stream: true``) or whole."""
    exchange = await open_exchange(request, "openai", data, to_ask(data), db)
    completion = Completion(data.model)
    if data.stream:
        body = sse(completion, exchange.events(), data.include_usage(), exchange.buffered)
        return EndingStream(
            body,
            media_type="text/event-stream",
            headers=exchange.headers(),
            background=exchange.after_delivery(),
        )
    return await whole_answer(exchange, db, completion.whole, openai_error)


def _model_out(m: ModelOut) -> dict[str, Any]:
    """One model, shaped for both OpenAI's and Anthropic's SDKs (``object`` and ``type``)."""
    return {
        "id": m.id,
        "object": "model",
        "type": "model",
        "created": 0,
        "created_at": "1970-01-01T00:00:00Z",
        "owned_by": m.provider,
        "display_name": m.display_name,
        "context_window": m.context_window,
        "key_source": m.key_source,
    }


async def _usable(db: AsyncSession, runtime: Runtime, principal: Principal) -> list[ModelOut]:
    member = await gateway_member(db, principal, P.WORKSPACE_READ, runtime.live_lookups())
    return [m for m in await catalogue(db, runtime, member) if m.allowed and m.key_source]


@get(
    "/v1/models",
    opt={"access": AUTHENTICATED, SCOPE_OPT: "models"},
    operation_id="openai_list_models",
    middleware=OPENAI_ERRORS,
)
async def list_models(principal: Principal, db: AsyncSession, runtime: Runtime) -> dict[str, Any]:
    """The models this workspace may use now, with the key that would pay (``key_source``).

    Shaped for both OpenAI's and Anthropic's SDKs (``object`` and ``type``, ``has_more``).
    """
    data = [_model_out(m) for m in await _usable(db, runtime, principal)]
    ends = {"first_id": data[0]["id"], "last_id": data[-1]["id"]} if data else {}
    return {"object": "list", "data": data, "has_more": False, **ends}


@get(
    "/v1/models/{model_id:path}",
    opt={"access": AUTHENTICATED, SCOPE_OPT: "models"},
    operation_id="openai_retrieve_model",
    middleware=OPENAI_ERRORS,
)
async def retrieve_model(
    model_id: str, principal: Principal, db: AsyncSession, runtime: Runtime
) -> dict[str, Any]:
    """One model of :func:`list_models` by its ``provider/model`` id (the SDKs' ``retrieve``);
    a model this workspace cannot use now is 404 ``not_found``."""
    wanted = model_id.strip("/")
    for m in await _usable(db, runtime, principal):
        if m.id == wanted:
            return _model_out(m)
    raise NotFound(f"No model '{wanted}' is usable in this workspace now.")
