"""What both formats' message routes do around their own request and response shapes: open the
exchange for the caller, and for a whole (non-streamed) answer commit, run and answer or refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts.dependencies import caller_of
from workspace.compat.caller import conversation_ref, gateway_member, request_key
from workspace.compat.collected import Collected
from workspace.compat.errors import status_of
from workspace.compat.exchange import Ask, Exchange, start_exchange
from workspace.compat.idempotent import Replay, keyed
from workspace.runtime.dependencies import runtime_of
from workspace.teams.roles import Permission as P


async def open_exchange(
    request: Request[Any, Any, Any],
    api: str,
    body: object,
    ask: Ask,
    db: AsyncSession,
) -> Exchange | Replay:
    """The caller's member (models.use), then the call started (or a keyed retry's replay).

    The runtime and the caller come off the request, not as dependencies: one fewer level of
    Litestar's concurrent resolution (see :mod:`workspace.runtime.dependencies`)."""
    runtime = runtime_of(request.app.state)
    principal, actor = caller_of(request, runtime.settings)
    member = await gateway_member(db, principal, P.MODELS_USE, runtime.live_lookups())
    conversation = conversation_ref(request)
    return await start_exchange(
        runtime,
        db,
        member,
        actor,
        ask,
        request_key=request_key(request),
        conversation=conversation,
        keyed=keyed(request, api, member, conversation, body),
    )


async def whole_answer(
    exchange: Exchange | Replay,
    db: AsyncSession,
    shape: Callable[[Collected], Any],
    envelope: Callable[[str, str], Any],
) -> Response[Any]:
    """Run the call to its end; the answer in ``shape``, or a refusal in ``envelope``.

    The checks, the credit hold and the record are committed before the model is called, as a
    stream's are before its first byte: the call's accounting settles that hold."""
    await db.commit()
    answer = await exchange.run()
    if answer.error is not None and not answer.text and not answer.tool_calls:
        code = answer.error.code
        error = envelope(code, answer.error.message)
        return Response(error, status_code=status_of(code), headers=exchange.headers())
    return Response(shape(answer), headers=exchange.headers())
