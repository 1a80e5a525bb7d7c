"""Anthropic Messages API wire format (``/v1/messages``), API key or Claude OAuth bearer.

Anthropic is the strictest provider about transcript shape (alternating roles, tool_result
pairing, signed thinking blocks, ``system`` only as a top-level parameter), so the simulator
enforces those rules to catch adapters that would only fail against the real service.

Quota choice: the real API answers an exhausted credit balance with HTTP 400
``invalid_request_error`` "Your credit balance is too low to access the Anthropic API...",
so that is what the ``quota`` fault sends (adapters must recognise it by message).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Final

from litestar import Request, Response, post
from litestar.handlers import HTTPRouteHandler

from adapters.simulator.catalogue import find_model, models_of
from adapters.simulator.common import (
    RETRY_AFTER_SECONDS,
    Failure,
    bearer_token,
    credential_failure,
    dumps,
    json_response,
    loads_object,
    new_id,
    request_headers,
)
from adapters.simulator.conversation import Conversation
from adapters.simulator.oauth_tokens import check_oauth_bearer
from adapters.simulator.replies import ContextTooLong, ReplyPlan, plan_reply
from adapters.simulator.sse import Frame, plain_response, sse, stream_response
from adapters.simulator.state import LoggedRequest, Scenario, SimulatorState

OAUTH_BETA: Final = "oauth-2025-04-20"
THINKING_SIGNATURE: Final = "c2ltdWxhdG9yLXNpZ25hdHVyZQ=="
_MEDIA_TYPES: Final = ("image/jpeg", "image/png", "image/gif", "image/webp")
_STOP: Final = {"stop": "end_turn", "length": "max_tokens", "tool": "tool_use"}
_MALFORMED: Final = b'event: content_block_delta\ndata: {"type":"content_block_delta","delta":\n\n'

_CANNED: Final[dict[str, str]] = {
    "auth": "invalid x-api-key",
    "rate_limit": "Number of request tokens has exceeded your per-minute rate limit. Please "
    "try again later.",
    "quota": "Your credit balance is too low to access the Anthropic API. Please go to "
    "Plans & Billing to upgrade or purchase credits.",
    "overloaded": "Overloaded",
}


def error_response(
    failure: Failure, headers: dict[str, str], entry: LoggedRequest | None
) -> Response[bytes]:
    """Render ``{"type": "error", "error": {"type", "message"}}`` with the real status codes."""
    status, err_type = {
        "invalid_request": (400, "invalid_request_error"),
        "context_length": (400, "invalid_request_error"),
        "not_found": (404, "not_found_error"),
        "auth": (401, "authentication_error"),
        "permission": (403, "permission_error"),
        "rate_limit": (429, "rate_limit_error"),
        "quota": (400, "invalid_request_error"),
        "overloaded": (529, "overloaded_error"),
    }[failure.kind]
    out_headers = dict(headers)
    if failure.kind == "rate_limit":
        out_headers["retry-after"] = str(RETRY_AFTER_SECONDS)
    if entry is not None:
        entry.status = status
    message = failure.message or _CANNED.get(failure.kind, "Error")
    body = {"type": "error", "error": {"type": err_type, "message": message}}
    return json_response(body, status=status, headers=out_headers)


def _authenticate(state: SimulatorState, headers: dict[str, str]) -> str:
    """Accept ``x-api-key`` or ``Authorization: Bearer``.

    The installed anthropic SDK (2.x) sends API keys as ``Authorization: Bearer``, so a Bearer
    credential is an API key unless the ``oauth-2025-04-20`` beta is requested; then it is a
    Claude OAuth access token and must be one the simulator issued (or a ``sim-ok-`` token).
    """
    if not headers.get("anthropic-version"):
        raise Failure("invalid_request", "anthropic-version: header is required")
    key = headers.get("x-api-key") or None
    token = bearer_token(headers.get("authorization"))
    credential = key or token
    if credential is None:
        raise Failure("auth", "x-api-key header is required")
    fault = credential_failure(credential, refusals_only=True)
    if fault is not None:
        raise fault
    betas = {b.strip() for b in headers.get("anthropic-beta", "").split(",")}
    if key is None and OAUTH_BETA in betas:
        check_oauth_bearer(state, "claude", credential)
    return credential


def _block_text(block: dict[str, Any], where: str) -> str:
    text = block.get("text")
    if not isinstance(text, str):
        raise Failure("invalid_request", f"{where}.text: Field required")
    if not text:
        raise Failure("invalid_request", f"{where}: text content blocks must be non-empty")
    return text


def _check_image(block: dict[str, Any], where: str) -> None:
    source = block.get("source")
    if not isinstance(source, dict):
        raise Failure("invalid_request", f"{where}.source: Field required")
    if source.get("type") == "url" and isinstance(source.get("url"), str):
        return
    if source.get("type") != "base64":
        raise Failure("invalid_request", f"{where}.source.type: Input should be 'base64' or 'url'")
    if source.get("media_type") not in _MEDIA_TYPES:
        raise Failure(
            "invalid_request",
            f"{where}.source.media_type: Input should be "
            + ", ".join(f"'{m}'" for m in _MEDIA_TYPES),
        )
    data = source.get("data")
    try:
        if not isinstance(data, str) or not data:
            raise ValueError
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Failure(
            "invalid_request", f"{where}.source.data: The image data is not valid base64."
        ) from exc


def _tool_result_text(block: dict[str, Any], where: str, conv: Conversation) -> str:
    content = block.get("content", "")
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        raise Failure("invalid_request", f"{where}.content: Input should be a string or a list")
    texts: list[str] = []
    for k, inner in enumerate(content):
        here = f"{where}.content.{k}"
        kind = inner.get("type") if isinstance(inner, dict) else None
        if kind == "text":
            texts.append(_block_text(inner, here))
        elif kind == "image":
            _check_image(inner, here)
            conv.add_image()
        else:
            raise Failure("invalid_request", f"{here}.type: Input should be 'text' or 'image'")
    return " ".join(texts)


def _parse_system(system: Any, conv: Conversation) -> None:
    if system is None:
        return
    if isinstance(system, str):
        conv.has_system = bool(system)
        conv.add_text(system)
        return
    if not isinstance(system, list):
        raise Failure("invalid_request", "system: Input should be a valid string or list")
    for i, block in enumerate(system):
        if not isinstance(block, dict) or block.get("type") != "text":
            raise Failure("invalid_request", f"system.{i}.type: Input should be 'text'")
        conv.add_text(_block_text(block, f"system.{i}"))
        conv.has_system = True


def _parse_tools(tools: Any, conv: Conversation) -> None:
    if tools is None:
        return
    if not isinstance(tools, list):
        raise Failure("invalid_request", "tools: Input should be a valid list")
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
            raise Failure("invalid_request", f"tools.{i}.name: Field required")
        if tool.get("type") in (None, "custom") and not isinstance(tool.get("input_schema"), dict):
            raise Failure("invalid_request", f"tools.{i}.custom.input_schema: Field required")
        conv.tool_names.append(tool["name"])
        conv.add_text(
            tool["name"] + str(tool.get("description", "")) + str(tool.get("input_schema"))
        )


def _parse_messages(messages: Any, conv: Conversation) -> None:
    if not isinstance(messages, list) or not messages:
        raise Failure("invalid_request", "messages: at least one message is required")
    previous_tool_ids: list[str] = []
    for i, msg in enumerate(messages):
        where = f"messages.{i}"
        if not isinstance(msg, dict):
            raise Failure("invalid_request", f"{where}: Input should be a valid dictionary")
        role = msg.get("role")
        if role == "system":
            raise Failure(
                "invalid_request",
                f'{where}.role: Unexpected role "system". The Messages API accepts a top-level '
                '`system` parameter, not "system" as an input message role.',
            )
        if role not in ("user", "assistant"):
            raise Failure("invalid_request", f"{where}.role: Input should be 'user' or 'assistant'")
        if i == 0 and role != "user":
            raise Failure("invalid_request", 'messages: first message must use the "user" role')
        if i > 0 and messages[i - 1].get("role") == role:
            raise Failure(
                "invalid_request",
                'messages: roles must alternate between "user" and "assistant", but found '
                f'multiple "{role}" roles in a row (at {where})',
            )
        content = msg.get("content")
        blocks: list[Any]
        if isinstance(content, str):
            if not content and not (role == "assistant" and i == len(messages) - 1):
                raise Failure(
                    "invalid_request", f"{where}: user messages must have non-empty content"
                )
            blocks = [{"type": "text", "text": content}] if content else []
        elif isinstance(content, list) and (content or role == "assistant"):
            blocks = content
        else:
            raise Failure("invalid_request", f"{where}.content: Input should be a valid list")
        if role == "user":
            _parse_user(blocks, where, previous_tool_ids, conv)
            previous_tool_ids = []
        else:
            previous_tool_ids = _parse_assistant(blocks, where, conv)
            conv.roles.append("assistant")
        if role == "assistant" and previous_tool_ids and i + 1 < len(messages):
            follow = messages[i + 1]
            follow_content = follow.get("content") if isinstance(follow, dict) else None
            answered = {
                b.get("tool_use_id")
                for b in (follow_content if isinstance(follow_content, list) else [])
                if isinstance(b, dict) and b.get("type") == "tool_result"
            }
            missing = [t for t in previous_tool_ids if t not in answered]
            if missing:
                raise Failure(
                    "invalid_request",
                    f"{where}: `tool_use` ids were found without `tool_result` blocks "
                    f"immediately after: {', '.join(missing)}. Each `tool_use` block must have a "
                    "corresponding `tool_result` block in the next message.",
                )
    conv.last_is_tool_result = conv.roles[-1:] == ["tool"]


def _parse_user(blocks: list[Any], where: str, tool_ids: list[str], conv: Conversation) -> None:
    texts: list[str] = []
    results: list[str] = []
    for j, block in enumerate(blocks):
        here = f"{where}.content.{j}"
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "text":
            texts.append(_block_text(block, here))
        elif kind == "image":
            _check_image(block, here)
            conv.add_image()
        elif kind == "document":
            if not isinstance(block.get("source"), dict):
                raise Failure("invalid_request", f"{here}.source: Field required")
        elif kind == "tool_result":
            use_id = block.get("tool_use_id")
            if not isinstance(use_id, str) or use_id not in tool_ids:
                raise Failure(
                    "invalid_request",
                    f"{here}: unexpected `tool_use_id` found in `tool_result` blocks: {use_id}. "
                    "Each `tool_result` block must have a corresponding `tool_use` block in the "
                    "previous message.",
                )
            results.append(_tool_result_text(block, here, conv))
        else:
            raise Failure(
                "invalid_request",
                f"{here}.type: Input tag '{kind}' found using 'type' does not match any of the "
                "expected tags for a user message: 'text', 'image', 'document', 'tool_result'",
            )
    for text in texts + results:
        conv.add_text(text)
    if results:
        conv.roles.append("tool")
        conv.tool_result_text = " ".join(results)
    else:
        conv.roles.append("user")
    if texts:
        conv.last_user_text = " ".join(texts)


def _parse_assistant(blocks: list[Any], where: str, conv: Conversation) -> list[str]:
    ids: list[str] = []
    for j, block in enumerate(blocks):
        here = f"{where}.content.{j}"
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "text":
            conv.add_text(_block_text(block, here))
        elif kind == "tool_use":
            if not isinstance(block.get("id"), str) or not isinstance(block.get("name"), str):
                raise Failure("invalid_request", f"{here}: tool_use blocks need id and name")
            if not isinstance(block.get("input"), dict):
                raise Failure(
                    "invalid_request", f"{here}.input: Input should be a valid dictionary"
                )
            ids.append(block["id"])
            conv.add_text(block["name"] + str(block["input"]))
        elif kind == "thinking":
            signature = block.get("signature")
            if not isinstance(signature, str) or not signature:
                raise Failure("invalid_request", f"{here}.thinking.signature: Field required")
            if not isinstance(block.get("thinking"), str):
                raise Failure("invalid_request", f"{here}.thinking.thinking: Field required")
        elif kind == "redacted_thinking":
            if not isinstance(block.get("data"), str):
                raise Failure("invalid_request", f"{here}.redacted_thinking.data: Field required")
        else:
            raise Failure(
                "invalid_request",
                f"{here}.type: Input tag '{kind}' found using 'type' does not match any of the "
                "expected tags for an assistant message: 'text', 'tool_use', 'thinking', "
                "'redacted_thinking'",
            )
    return ids


def parse_messages_request(body: dict[str, Any]) -> tuple[str, bool, Conversation]:
    """Validate a Messages body; return (model, stream, conversation)."""
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise Failure("invalid_request", "model: Field required")
    max_tokens = body.get("max_tokens")
    if max_tokens is None:
        raise Failure("invalid_request", "max_tokens: Field required")
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        raise Failure("invalid_request", "max_tokens: Input should be an integer >= 1")
    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise Failure("invalid_request", "stream: Input should be a valid boolean")
    temperature = body.get("temperature")
    if temperature is not None and (
        not isinstance(temperature, int | float) or not 0 <= temperature <= 1
    ):
        raise Failure("invalid_request", "temperature: range: 0..1")
    conv = Conversation(max_output=max_tokens)
    thinking = body.get("thinking")
    if isinstance(thinking, dict) and thinking.get("type") == "enabled":
        budget = thinking.get("budget_tokens")
        if not isinstance(budget, int) or budget < 1024:
            raise Failure(
                "invalid_request", "thinking.enabled.budget_tokens: Input should be >= 1024"
            )
        if budget >= max_tokens:
            raise Failure(
                "invalid_request", "`max_tokens` must be greater than `thinking.budget_tokens`."
            )
        conv.thinking = True
    _parse_system(body.get("system"), conv)
    _parse_tools(body.get("tools"), conv)
    _parse_messages(body.get("messages"), conv)
    return model, bool(stream), conv


def _usage(plan: ReplyPlan, output_tokens: int) -> dict[str, Any]:
    return {
        "input_tokens": plan.input_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": output_tokens,
    }


def message_json(model: str, plan: ReplyPlan) -> dict[str, Any]:
    """The non-streamed ``message`` object."""
    content: list[dict[str, Any]] = []
    if plan.thinking is not None:
        content.append(
            {"type": "thinking", "thinking": plan.thinking, "signature": THINKING_SIGNATURE}
        )
    if plan.tool_call is not None:
        content.append(
            {
                "type": "tool_use",
                "id": plan.tool_call.id,
                "name": plan.tool_call.name,
                "input": loads_object(plan.tool_call.arguments.encode()),
            }
        )
    else:
        content.append({"type": "text", "text": plan.text})
    return {
        "id": new_id("msg_"),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": _STOP[plan.finish],
        "stop_sequence": None,
        "usage": _usage(plan, plan.output_tokens),
    }


def _event(name: str, data: dict[str, Any], content: bool = False) -> Frame:
    return Frame(sse(dumps({"type": name, **data}), name), content)


def event_frames(model: str, plan: ReplyPlan) -> list[Frame]:
    """The SSE events of a streamed message, in Anthropic's documented order."""
    start = message_json(model, plan)
    start.update(content=[], stop_reason=None, usage=_usage(plan, 1))
    frames = [_event("message_start", {"message": start})]
    index = 0
    if plan.thinking is not None:
        frames.extend(_thinking_frames(index, plan.thinking))
        index += 1
    frames.extend(_answer_frames(index, plan))
    frames.append(
        _event(
            "message_delta",
            {
                "delta": {"stop_reason": _STOP[plan.finish], "stop_sequence": None},
                "usage": {"output_tokens": plan.output_tokens},
            },
        )
    )
    frames.append(_event("message_stop", {}))
    return frames


def _thinking_frames(index: int, thinking: str) -> list[Frame]:
    """One thinking block: its text, then the signature that lets it be sent back."""
    block = {"type": "thinking", "thinking": "", "signature": ""}
    signature = {"type": "signature_delta", "signature": THINKING_SIGNATURE}
    return [
        _event("content_block_start", {"index": index, "content_block": block}),
        _event(
            "content_block_delta",
            {"index": index, "delta": {"type": "thinking_delta", "thinking": thinking}},
            True,
        ),
        _event("content_block_delta", {"index": index, "delta": signature}),
        _event("content_block_stop", {"index": index}),
    ]


def _answer_frames(index: int, plan: ReplyPlan) -> list[Frame]:
    """The answer block (text, or the tool call's arguments) streamed in the plan's pieces."""
    if plan.tool_call is not None:
        block: dict[str, Any] = {
            "type": "tool_use",
            "id": plan.tool_call.id,
            "name": plan.tool_call.name,
            "input": {},
        }
        delta_kind, field = "input_json_delta", "partial_json"
    else:
        block = {"type": "text", "text": ""}
        delta_kind, field = "text_delta", "text"
    return [
        _event("content_block_start", {"index": index, "content_block": block}),
        _event("ping", {}),
        *(
            _event(
                "content_block_delta",
                {"index": index, "delta": {"type": delta_kind, field: piece}},
                True,
            )
            for piece in plan.pieces
        ),
        _event("content_block_stop", {"index": index}),
    ]


def anthropic_routes(state: SimulatorState) -> list[HTTPRouteHandler]:
    """Handlers for ``POST /v1/messages``."""

    @post("/v1/messages", status_code=200)
    async def messages(request: Request[Any, Any, Any]) -> Response[Any]:
        """``POST /v1/messages`` (streamed or not)."""
        return await _messages(state, request)

    return [messages]


async def _messages(state: SimulatorState, request: Request[Any, Any, Any]) -> Response[Any]:
    headers = request_headers(request)
    out_headers = {"request-id": new_id("req_", 16)}
    entry: LoggedRequest | None = None
    try:
        body = loads_object(await request.body())
        model_id = body.get("model") if isinstance(body.get("model"), str) else None
        entry = state.log.record(
            provider="anthropic",
            path=request.url.path,
            headers=headers,
            body=body,
            model=model_id,
            stream=body.get("stream") is True,
        )
        credential = _authenticate(state, headers)
        scenario = state.scenario_for(model_id)
        fault = scenario.failure() or credential_failure(credential)
        if fault is not None:
            raise fault
        model_name, stream, conv = parse_messages_request(body)
        plan = _plan(model_name, conv, scenario)
    except Failure as failure:
        if entry is None:
            entry = state.log.record(
                provider="anthropic", path=request.url.path, headers=headers, body=None
            )
        return error_response(failure, out_headers, entry)
    if stream:
        return stream_response(
            event_frames(model_name, plan),
            scenario,
            entry,
            malformed=_MALFORMED,
            headers=out_headers,
        )
    payload = dumps(message_json(model_name, plan))
    return await plain_response(payload, scenario, entry, out_headers)


def _plan(model_name: str, conv: Conversation, scenario: Scenario) -> ReplyPlan:
    """The reply for this model, or the `Failure` Anthropic answers with instead."""
    model = find_model(model_name, "anthropic")
    if model is None:
        raise Failure("not_found", f"model: {model_name}")
    if conv.max_output is not None and conv.max_output > model.max_output:
        raise Failure(
            "invalid_request",
            f"max_tokens: {conv.max_output} > {model.max_output}, which is the maximum "
            f"allowed number of output tokens for {model_name}",
        )
    try:
        return plan_reply("anthropic", model, conv, scenario, new_id("toolu_", 12))
    except ContextTooLong as too_long:
        raise Failure(
            "context_length",
            f"prompt is too long: {too_long.tokens} tokens > {too_long.window} maximum",
        ) from too_long


def list_models(
    state: SimulatorState, request: Request[Any, Any, Any], only: str | None = None
) -> Response[bytes]:
    """``GET /v1/models`` in Anthropic's paginated shape; with ``only`` one model or 404."""
    headers = request_headers(request)
    out_headers = {"request-id": new_id("req_", 16)}
    entry = state.log.record(
        provider="anthropic", path=request.url.path, headers=headers, body=None
    )
    try:
        _authenticate(state, headers)
        fault = state.scenario_for(None).failure()
        if fault is not None and fault.kind != "quota":
            raise fault
    except Failure as failure:
        return error_response(failure, out_headers, entry)
    data = [
        {
            "type": "model",
            "id": m.id,
            "display_name": m.display_name,
            "created_at": "2025-10-01T00:00:00Z",
        }
        for m in models_of("anthropic")
        if only is None or m.id == only
    ]
    if only is not None and not data:
        return error_response(Failure("not_found", f"model: {only}"), out_headers, entry)
    entry.status = 200
    entry.completed = True
    if only is not None:
        return json_response(data[0], headers=out_headers)
    return json_response(
        {"data": data, "has_more": False, "first_id": data[0]["id"], "last_id": data[-1]["id"]},
        headers=out_headers,
    )
