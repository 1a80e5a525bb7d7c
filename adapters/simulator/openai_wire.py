"""OpenAI Chat Completions wire format, served for OpenAI, Groq, Qwen and generic compat bases.

The same protocol lives under four prefixes because four kinds of provider speak it:
``/v1`` (OpenAI), ``/openai/v1`` (Groq), ``/qwen/v1`` (Qwen OAuth ``resource_url``) and
``/compat/v1`` (any OpenAI-compatible server). Validation follows OpenAI's own rules so an
adapter that builds a bad transcript fails here exactly as it would in production.
"""

from __future__ import annotations

import base64
import binascii
import re
import time
from typing import Any, Final

from litestar import Request, Response, get, post
from litestar.handlers import HTTPRouteHandler

from adapters.simulator.catalogue import Family, find_model, models_of
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
from adapters.simulator.replies import ReplyPlan, plan_reply
from adapters.simulator.sse import Frame, plain_response, sse, stream_response
from adapters.simulator.state import LoggedRequest, Scenario, SimulatorState

PREFIXES: Final[dict[str, Family]] = {
    "/v1": "openai",
    "/openai/v1": "groq",
    "/qwen/v1": "qwen",
    "/compat/v1": "compat",
}
_VALID_ROLES: Final = ("system", "developer", "user", "assistant", "tool")
_DATA_URL: Final = re.compile(r"^data:image/(png|jpeg|jpg|gif|webp);base64,(.+)$", re.DOTALL)
_FINISH: Final = {"stop": "stop", "length": "length", "tool": "tool_calls"}
_MALFORMED: Final = b'data: {"id":"chatcmpl-broken","choices":[{"delta":{"content":"tr\n\n'

_CANNED: Final[dict[str, str]] = {
    "auth": "Incorrect API key provided. You can find your API key at "
    "https://platform.openai.com/account/api-keys.",
    "rate_limit": "Rate limit reached for requests. Please try again in 1s.",
    "quota": "You exceeded your current quota, please check your plan and billing details.",
    "overloaded": "The server is currently overloaded, please try again later.",
}


def family_of(path: str) -> Family:
    """Which provider a path belongs to, from its prefix."""
    for prefix, family in sorted(PREFIXES.items(), key=lambda item: -len(item[0])):
        if path.startswith(prefix + "/"):
            return family
    return "openai"


def error_response(
    family: Family, failure: Failure, headers: dict[str, str], entry: LoggedRequest | None
) -> Response[bytes]:
    """Render a failure as ``{"error": {"message", "type", "param", "code"}}``."""
    message = failure.message or _CANNED.get(failure.kind, "Error")
    status, err_type, code = {
        "invalid_request": (400, "invalid_request_error", None),
        "not_found": (404, "invalid_request_error", "model_not_found"),
        "context_length": (400, "invalid_request_error", "context_length_exceeded"),
        "auth": (401, "invalid_request_error", "invalid_api_key"),
        "permission": (403, "invalid_request_error", "permission_denied"),
        "rate_limit": (429, "requests", "rate_limit_exceeded"),
        "quota": (429, "insufficient_quota", "insufficient_quota"),
        "overloaded": (503, "server_error", None),
    }[failure.kind]
    if family == "qwen" and failure.kind == "quota":
        status = 403
    if family == "qwen" and failure.kind == "auth" and not failure.message:
        message = "invalid access token or token expired"
    out_headers = dict(headers)
    if failure.kind == "rate_limit":
        out_headers["retry-after"] = str(RETRY_AFTER_SECONDS)
    if entry is not None:
        entry.status = status
    body = {"error": {"message": message, "type": err_type, "param": failure.param, "code": code}}
    return json_response(body, status=status, headers=out_headers)


def _authenticate(state: SimulatorState, family: Family, headers: dict[str, str]) -> str:
    token = bearer_token(headers.get("authorization"))
    if token is None:
        raise Failure(
            "auth",
            "You didn't provide an API key. You need to provide your API key in an "
            "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        )
    fault = credential_failure(token, refusals_only=True)
    if fault is not None:
        # Like a careless provider, echo the whole key back: the app must never pass it on.
        raise Failure(
            "auth",
            f"Incorrect API key provided: {token}. You can find your API key at "
            "https://platform.openai.com/account/api-keys.",
        )
    if family == "qwen":
        check_oauth_bearer(state, "qwen", token)
    return token


def _text_parts(content: Any, where: str, allowed: tuple[str, ...]) -> tuple[str, int]:
    """Validate string-or-parts content; return the joined text and the image count."""
    if isinstance(content, str):
        return content, 0
    if not isinstance(content, list) or not content:
        raise Failure(
            "invalid_request",
            f"Invalid type for '{where}': expected a string or a non-empty array of parts.",
            param=where,
        )
    texts: list[str] = []
    images = 0
    for j, part in enumerate(content):
        here = f"{where}[{j}]"
        if not isinstance(part, dict) or part.get("type") not in allowed:
            kind = part.get("type") if isinstance(part, dict) else type(part).__name__
            raise Failure(
                "invalid_request",
                f"Invalid value: '{kind}'. Supported values for '{here}.type' are: "
                + ", ".join(f"'{a}'" for a in allowed)
                + ".",
                param=f"{here}.type",
            )
        kind = part["type"]
        if kind in ("text", "refusal"):
            value = part.get(kind)
            if not isinstance(value, str):
                raise Failure(
                    "invalid_request", f"Missing required parameter: '{here}.{kind}'.", param=here
                )
            texts.append(value)
        elif kind == "image_url":
            _check_image(part.get("image_url"), f"{here}.image_url")
            images += 1
        elif kind == "input_audio":
            audio = part.get("input_audio")
            if not isinstance(audio, dict) or not isinstance(audio.get("data"), str):
                raise Failure(
                    "invalid_request", f"Missing required parameter: '{here}.input_audio.data'."
                )
        elif kind == "file" and not isinstance(part.get("file"), dict):
            raise Failure("invalid_request", f"Missing required parameter: '{here}.file'.")
    return " ".join(texts), images


def _check_image(image: Any, where: str) -> None:
    if not isinstance(image, dict) or not isinstance(image.get("url"), str):
        raise Failure("invalid_request", f"Missing required parameter: '{where}.url'.", param=where)
    url: str = image["url"]
    if url.startswith(("https://", "http://")):
        return
    match = _DATA_URL.match(url)
    if match is None:
        raise Failure(
            "invalid_request",
            "Invalid image URL: expected an https URL or a base64 data URL "
            "(data:image/png|jpeg|gif|webp;base64,...).",
            param=f"{where}.url",
        )
    try:
        base64.b64decode(match.group(2), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Failure(
            "invalid_request",
            "Invalid image URL: the base64 data is not valid.",
            param=f"{where}.url",
        ) from exc


def parse_chat(body: dict[str, Any]) -> tuple[str, bool, bool, Conversation]:
    """Validate a chat completions body; return (model, stream, include_usage, conversation)."""
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise Failure("invalid_request", "you must provide a model parameter", param="model")
    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise Failure("invalid_request", "Invalid type for 'stream': expected a boolean.")
    options = body.get("stream_options")
    if options is not None and not stream:
        raise Failure(
            "invalid_request",
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
            param="stream_options",
        )
    include_usage = isinstance(options, dict) and options.get("include_usage") is True
    conv = Conversation()
    for name in ("max_tokens", "max_completion_tokens"):
        value = body.get(name)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise Failure(
                "invalid_request", f"Invalid '{name}': expected an integer >= 1.", param=name
            )
        conv.max_output = value
    temperature = body.get("temperature")
    if temperature is not None and (
        not isinstance(temperature, int | float) or not 0 <= temperature <= 2
    ):
        raise Failure(
            "invalid_request",
            "Invalid 'temperature': must be between 0 and 2.",
            param="temperature",
        )
    _parse_tools(body.get("tools"), conv)
    _parse_messages(body.get("messages"), conv)
    return model, bool(stream), include_usage, conv


def _parse_tools(tools: Any, conv: Conversation) -> None:
    if tools is None:
        return
    if not isinstance(tools, list):
        raise Failure("invalid_request", "Invalid type for 'tools': expected an array.")
    for i, tool in enumerate(tools):
        fn = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(tool, dict) or tool.get("type") != "function" or not isinstance(fn, dict):
            raise Failure(
                "invalid_request",
                f"Invalid 'tools[{i}]': expected {{'type': 'function', 'function': {{...}}}}.",
                param=f"tools[{i}]",
            )
        name = fn.get("name")
        if not isinstance(name, str) or not re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", name):
            raise Failure(
                "invalid_request",
                f"Invalid 'tools[{i}].function.name': string does not match pattern "
                "'^[a-zA-Z0-9_-]{1,64}$'.",
                param=f"tools[{i}].function.name",
            )
        params = fn.get("parameters")
        if params is not None and not isinstance(params, dict):
            raise Failure("invalid_request", f"Invalid 'tools[{i}].function.parameters'.")
        conv.tool_names.append(name)
        conv.add_text(name + str(fn.get("description", "")) + str(params or ""))


def _parse_messages(messages: Any, conv: Conversation) -> None:
    if not isinstance(messages, list) or not messages:
        raise Failure(
            "invalid_request",
            "Invalid 'messages': empty array. Expected an array with minimum "
            "length 1, but got an empty array instead.",
            param="messages",
        )
    pending: list[str] = []
    for i, msg in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(msg, dict):
            raise Failure("invalid_request", f"Invalid type for '{where}': expected an object.")
        role = _checked_role(msg.get("role"), pending, where)
        content = msg.get("content")
        if role in ("system", "developer"):
            text, _ = _text_parts(content, f"{where}.content", ("text",))
            conv.has_system = True
            conv.add_text(text)
        elif role == "user":
            text, images = _text_parts(
                content, f"{where}.content", ("text", "image_url", "input_audio", "file")
            )
            conv.roles.append("user")
            conv.last_user_text = text
            conv.add_text(text)
            for _ in range(images):
                conv.add_image()
        elif role == "assistant":
            pending = _parse_assistant(msg, where, conv)
            conv.roles.append("assistant")
        else:
            _parse_tool_result(msg, where, pending, conv)
    conv.last_is_tool_result = conv.roles[-1:] == ["tool"]


def _checked_role(role: Any, pending: list[str], where: str) -> str:
    """A known role, and a tool answer wherever tool calls still wait for one."""
    if role not in _VALID_ROLES:
        raise Failure(
            "invalid_request",
            f"Invalid value: '{role}'. Supported values are: 'system', 'developer', "
            "'user', 'assistant' and 'tool'.",
            param=f"{where}.role",
        )
    if pending and role != "tool":
        raise Failure(
            "invalid_request",
            "An assistant message with 'tool_calls' must be followed by tool messages "
            "responding to each 'tool_call_id'. The following tool_call_ids did not have "
            f"response messages: {', '.join(pending)}",
            param=f"{where}.role",
        )
    return str(role)


def _parse_tool_result(
    msg: dict[str, Any], where: str, pending: list[str], conv: Conversation
) -> None:
    """A ``tool`` message: it must answer a pending call, which it then settles."""
    call_id = msg.get("tool_call_id")
    if not isinstance(call_id, str) or call_id not in pending:
        raise Failure(
            "invalid_request",
            "Invalid parameter: messages with role 'tool' must be a response to a "
            "preceding message with 'tool_calls' (tool_call_id "
            f"{call_id!r} does not match any pending call).",
            param=f"{where}.role",
        )
    pending.remove(call_id)
    text, _ = _text_parts(msg.get("content"), f"{where}.content", ("text",))
    conv.roles.append("tool")
    conv.add_text(text)
    conv.tool_result_text = text


def _parse_assistant(msg: dict[str, Any], where: str, conv: Conversation) -> list[str]:
    content = msg.get("content")
    calls = msg.get("tool_calls")
    if content is not None:
        text, _ = _text_parts(content, f"{where}.content", ("text", "refusal"))
        conv.add_text(text)
    elif not calls:
        raise Failure(
            "invalid_request",
            f"Invalid value for '{where}.content': expected a string, got null "
            "(content may be null only when tool_calls is set).",
            param=f"{where}.content",
        )
    if calls is None:
        return []
    if not isinstance(calls, list) or not calls:
        raise Failure("invalid_request", f"Invalid '{where}.tool_calls': empty array.")
    ids: list[str] = []
    for j, call in enumerate(calls):
        here = f"{where}.tool_calls[{j}]"
        fn = call.get("function") if isinstance(call, dict) else None
        if (
            not isinstance(call, dict)
            or not isinstance(call.get("id"), str)
            or call.get("type") != "function"
            or not isinstance(fn, dict)
            or not isinstance(fn.get("name"), str)
            or not isinstance(fn.get("arguments"), str)
        ):
            raise Failure(
                "invalid_request",
                f"Invalid '{here}': expected id, type 'function' and function.name/arguments "
                "strings.",
                param=here,
            )
        ids.append(call["id"])
        conv.add_text(fn["name"] + fn["arguments"])
    return ids


def _usage(plan: ReplyPlan) -> dict[str, Any]:
    return {
        "prompt_tokens": plan.input_tokens,
        "completion_tokens": plan.output_tokens,
        "total_tokens": plan.input_tokens + plan.output_tokens,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
    }


def _tool_call_json(plan: ReplyPlan, arguments: str) -> dict[str, Any]:
    assert plan.tool_call is not None
    return {
        "index": 0,
        "id": plan.tool_call.id,
        "type": "function",
        "function": {"name": plan.tool_call.name, "arguments": arguments},
    }


def completion_json(model: str, plan: ReplyPlan) -> dict[str, Any]:
    """The non-streamed ``chat.completion`` object."""
    message: dict[str, Any] = {
        "role": "assistant",
        "content": plan.text if plan.tool_call is None else None,
        "refusal": None,
        "annotations": [],
    }
    if plan.tool_call is not None:
        call = _tool_call_json(plan, plan.tool_call.arguments)
        del call["index"]
        message["tool_calls"] = [call]
    return {
        "id": new_id("chatcmpl-"),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": "fp_simulator",
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": _FINISH[plan.finish],
            }
        ],
        "usage": _usage(plan),
    }


def chunk_frames(model: str, plan: ReplyPlan, include_usage: bool) -> list[Frame]:
    """The ``chat.completion.chunk`` events of a streamed reply, ending with ``[DONE]``."""
    base: dict[str, Any] = {
        "id": new_id("chatcmpl-"),
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": "fp_simulator",
    }
    if include_usage:
        base["usage"] = None

    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return sse(dumps({**base, "choices": [choice]}))

    frames: list[Frame] = []
    if plan.tool_call is None:
        frames.append(Frame(chunk({"role": "assistant", "content": "", "refusal": None})))
        frames.extend(Frame(chunk({"content": piece}), True) for piece in plan.pieces)
    else:
        first = {"role": "assistant", "content": None, "tool_calls": [_tool_call_json(plan, "")]}
        frames.append(Frame(chunk(first)))
        frames.extend(
            Frame(chunk({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}), True)
            for piece in plan.pieces
        )
    frames.append(Frame(chunk({}, _FINISH[plan.finish])))
    if include_usage:
        frames.append(Frame(sse(dumps({**base, "choices": [], "usage": _usage(plan)}))))
    frames.append(Frame(b"data: [DONE]\n\n"))
    return frames


def openai_routes(state: SimulatorState) -> list[HTTPRouteHandler]:
    """Handlers for chat completions and model listing under every OpenAI-style prefix."""

    @post([f"{prefix}/chat/completions" for prefix in PREFIXES], status_code=200)
    async def chat_completions(request: Request[Any, Any, Any]) -> Response[Any]:
        """``POST .../chat/completions`` (streamed or not)."""
        return await _chat_completions(state, request)

    @get([f"{prefix}/models" for prefix in PREFIXES if prefix != "/v1"])
    async def prefixed_models(request: Request[Any, Any, Any]) -> Response[bytes]:
        """``GET .../models`` for Groq, Qwen and compat prefixes."""
        return list_models(state, request)

    return [chat_completions, prefixed_models]


async def _chat_completions(
    state: SimulatorState, request: Request[Any, Any, Any]
) -> Response[Any]:
    family = family_of(request.url.path)
    headers = request_headers(request)
    out_headers = {"x-request-id": new_id("req_", 16)}
    entry: LoggedRequest | None = None
    try:
        body = loads_object(await request.body())
        model_id = body.get("model") if isinstance(body.get("model"), str) else None
        entry = state.log.record(
            provider=family,
            path=request.url.path,
            headers=headers,
            body=body,
            model=model_id,
            stream=body.get("stream") is True,
        )
        token = _authenticate(state, family, headers)
        scenario = state.scenario_for(model_id)
        fault = scenario.failure() or credential_failure(token)
        if fault is not None:
            raise fault
        model_name, stream, include_usage, conv = parse_chat(body)
        plan = _plan(family, model_name, conv, scenario)
    except Failure as failure:
        if entry is None:
            entry = state.log.record(
                provider=family, path=request.url.path, headers=headers, body=None
            )
        return error_response(family, failure, out_headers, entry)
    if stream:
        return stream_response(
            chunk_frames(model_name, plan, include_usage),
            scenario,
            entry,
            malformed=_MALFORMED,
            headers=out_headers,
        )
    payload = dumps(completion_json(model_name, plan))
    return await plain_response(payload, scenario, entry, out_headers)


def _plan(family: Family, model_name: str, conv: Conversation, scenario: Scenario) -> ReplyPlan:
    """The reply for this model, or the `Failure` OpenAI answers with instead."""
    model = find_model(model_name, family)
    if model is None:
        raise Failure(
            "not_found",
            f"The model `{model_name}` does not exist or you do not have access to it.",
            param="model",
        )
    if conv.max_output is not None and conv.max_output > model.max_output:
        raise Failure(
            "invalid_request",
            f"max_tokens is too large: {conv.max_output}. This model supports at most "
            f"{model.max_output} completion tokens, whereas you provided "
            f"{conv.max_output}.",
            param="max_tokens",
        )
    return plan_reply(family, model, conv, scenario, new_id("call_", 12))


def list_models(
    state: SimulatorState, request: Request[Any, Any, Any], only: str | None = None
) -> Response[bytes]:
    """OpenAI's ``{"object": "list", "data": [...]}`` listing; with ``only`` one model or 404."""
    family = family_of(request.url.path)
    headers = request_headers(request)
    out_headers = {"x-request-id": new_id("req_", 16)}
    entry = state.log.record(provider=family, path=request.url.path, headers=headers, body=None)
    try:
        _authenticate(state, family, headers)
        fault = state.scenario_for(None).failure()
        if fault is not None and fault.kind != "quota":
            raise fault
    except Failure as failure:
        return error_response(family, failure, out_headers, entry)
    owner = {"openai": "openai", "groq": "Meta", "qwen": "qwen", "compat": "local"}
    data = [
        {
            "id": m.id,
            "object": "model",
            "created": 1_700_000_000,
            "owned_by": owner.get(m.family, m.family),
            "context_window": m.context_window,
        }
        for m in models_of(family)
        if only is None or m.id == only
    ]
    if only is not None and not data:
        missing = Failure(
            "not_found", f"The model `{only}` does not exist or you do not have access to it."
        )
        return error_response(family, missing, out_headers, entry)
    entry.status = 200
    entry.completed = True
    if only is not None:
        return json_response(data[0], headers=out_headers)
    return json_response({"object": "list", "data": data}, headers=out_headers)
