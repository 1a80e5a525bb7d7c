"""Gemini API (Google AI, ``generativelanguage``) wire format, as google-genai calls it.

The installed google-genai (3.x) defaults to API version ``v1`` while older releases and most
docs use ``v1beta``; both prefixes are served. ``:streamGenerateContent?alt=sse`` streams
``data: {GenerateContentResponse}`` events; without ``alt=sse`` it answers a JSON array, as the
real API does. The request parser and response builders are shared with Code Assist, which
wraps the very same objects.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Final, Literal

from litestar import Request, Response, get, post
from litestar.handlers import HTTPRouteHandler

from adapters.simulator.catalogue import ModelInfo, find_model, models_of
from adapters.simulator.common import (
    RETRY_AFTER_SECONDS,
    Failure,
    credential_failure,
    dumps,
    json_response,
    loads_object,
    new_id,
    request_headers,
)
from adapters.simulator.conversation import Conversation
from adapters.simulator.replies import ContextTooLong, ReplyPlan, plan_reply
from adapters.simulator.sse import Frame, plain_response, sse, stream_response
from adapters.simulator.state import LoggedRequest, Scenario, SimulatorState

VERSIONS: Final = ("v1beta", "v1")
_FINISH: Final = {"stop": "STOP", "length": "MAX_TOKENS", "tool": "STOP"}
_MALFORMED: Final = b'data: {"candidates": [{"content": {"parts": [{"text": "tru\n\n'
_STATUS: Final[dict[int, str]] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    503: "UNAVAILABLE",
}
Flavour = Literal["gemini", "code_assist"]


def _detail(kind: str, **fields: Any) -> dict[str, Any]:
    return {"@type": f"type.googleapis.com/google.rpc.{kind}", **fields}


def _quota_failure(model: str | None, quota_id: str, metric: str) -> dict[str, Any]:
    return _detail(
        "QuotaFailure",
        violations=[
            {
                "quotaMetric": f"generativelanguage.googleapis.com/{metric}",
                "quotaId": quota_id,
                "quotaDimensions": {"location": "global", "model": model or "gemini"},
                "quotaValue": "250",
            }
        ],
    )


_CODES: Final[dict[str, int]] = {
    "invalid_request": 400,
    "context_length": 400,
    "not_found": 404,
    "permission": 403,
    "rate_limit": 429,
    "quota": 429,
    "overloaded": 503,
    "auth": 400,
}


def error_response(
    failure: Failure,
    headers: dict[str, str],
    entry: LoggedRequest | None,
    *,
    model: str | None = None,
    flavour: Flavour = "gemini",
) -> Response[bytes]:
    """Render ``{"error": {"code", "message", "status", "details"}}`` (google.rpc.Status)."""
    out_headers = dict(headers)
    if failure.kind == "rate_limit":
        out_headers["retry-after"] = str(RETRY_AFTER_SECONDS)
    code, message, details = _error_body(failure, model, flavour)
    if entry is not None:
        entry.status = code
    error: dict[str, Any] = {"code": code, "message": message, "status": _STATUS[code]}
    if details:
        error["details"] = details
    return json_response({"error": error}, status=code, headers=out_headers)


def _error_body(
    failure: Failure, model: str | None, flavour: Flavour
) -> tuple[int, str, list[dict[str, Any]]]:
    """The HTTP code, message and google.rpc details Google sends for this failure."""
    kind, message = failure.kind, failure.message
    domain = "cloudcode-pa.googleapis.com" if flavour == "code_assist" else "googleapis.com"
    if kind == "auth":
        return _auth_error(message, flavour, domain)
    if kind == "rate_limit":
        return (
            429,
            message or "Resource has been exhausted (e.g. check quota).",
            (_rate_limit_details(model, flavour, domain)),
        )
    if kind == "quota":
        return (
            429,
            message
            or ("You exceeded your current quota, please check your plan and billing details."),
            _quota_details(model, flavour, domain),
        )
    if kind == "overloaded":
        return 503, message or "The model is overloaded. Please try again later.", []
    return _CODES[kind], message, []


def _auth_error(
    message: str, flavour: Flavour, domain: str
) -> tuple[int, str, list[dict[str, Any]]]:
    if flavour == "gemini":
        message = message or "API key not valid. Please pass a valid API key."
        return (
            400,
            message,
            [
                _detail(
                    "ErrorInfo",
                    reason="API_KEY_INVALID",
                    domain=domain,
                    metadata={"service": "generativelanguage.googleapis.com"},
                ),
                _detail("LocalizedMessage", locale="en-US", message=message),
            ],
        )
    message = message or (
        "Request had invalid authentication credentials. Expected OAuth 2 access token, "
        "login cookie or other valid authentication credential."
    )
    return 401, message, [_detail("ErrorInfo", reason="ACCESS_TOKEN_EXPIRED", domain=domain)]


def _rate_limit_details(model: str | None, flavour: Flavour, domain: str) -> list[dict[str, Any]]:
    details = [
        _quota_failure(
            model,
            "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
            "generate_content_free_tier_requests",
        ),
        _detail("RetryInfo", retryDelay=f"{RETRY_AFTER_SECONDS}s"),
    ]
    if flavour == "code_assist":
        details.insert(0, _detail("ErrorInfo", reason="RATE_LIMIT_EXCEEDED", domain=domain))
    return details


def _quota_details(model: str | None, flavour: Flavour, domain: str) -> list[dict[str, Any]]:
    details = [
        _quota_failure(
            model,
            "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
            "generate_content_free_tier_requests",
        ),
    ]
    if flavour == "code_assist":
        details.insert(0, _detail("ErrorInfo", reason="QUOTA_EXHAUSTED", domain=domain))
    else:
        details.append(_detail("RetryInfo", retryDelay="43200s"))
    return details


def _get(obj: dict[str, Any], camel: str) -> Any:
    """Proto JSON accepts camelCase and snake_case field names alike."""
    if camel in obj:
        return obj[camel]
    snake = "".join("_" + c.lower() if c.isupper() else c for c in camel)
    return obj.get(snake)


def _parse_parts(parts: Any, where: str, conv: Conversation) -> tuple[list[str], int, int]:
    """Validate parts; return (texts, function calls, function responses)."""
    if not isinstance(parts, list) or not parts:
        raise Failure("invalid_request", f"* {where}.parts: contents.parts must not be empty.")
    texts: list[str] = []
    calls = responses = 0
    for j, part in enumerate(parts):
        here = f"{where}.parts[{j}]"
        if not isinstance(part, dict):
            raise Failure("invalid_request", f"* {here}: must be an object")
        if "text" in part:
            if not isinstance(part["text"], str):
                raise Failure("invalid_request", f"* {here}.text: must be a string")
            if not part["text"] and not part.get("thought"):
                raise Failure(
                    "invalid_request",
                    "Unable to submit request because it has an empty text parameter. Add a "
                    "value to the parameter and try again.",
                )
            if not part.get("thought"):
                texts.append(part["text"])
            conv.add_text(part["text"])
        elif (inline := _get(part, "inlineData")) is not None:
            _check_inline(inline, f"{here}.inline_data")
            conv.add_image()
        elif (file_data := _get(part, "fileData")) is not None:
            if not isinstance(file_data, dict) or not _get(file_data, "fileUri"):
                raise Failure("invalid_request", f"* {here}.file_data.file_uri: required")
            conv.add_image()
        elif (call := _get(part, "functionCall")) is not None:
            if not isinstance(call, dict) or not isinstance(call.get("name"), str):
                raise Failure("invalid_request", f"* {here}.function_call.name: required")
            calls += 1
            conv.add_text(call["name"] + str(call.get("args", {})))
        elif (response := _get(part, "functionResponse")) is not None:
            if not isinstance(response, dict) or not isinstance(response.get("name"), str):
                raise Failure("invalid_request", f"* {here}.function_response.name: required")
            if not isinstance(response.get("response"), dict):
                raise Failure(
                    "invalid_request", f"* {here}.function_response.response: must be an object"
                )
            responses += 1
            result = dumps(response["response"]).decode()
            conv.add_text(result)
            conv.tool_result_text = (conv.tool_result_text + " " + result).strip()
        else:
            raise Failure("invalid_request", f"* {here}: a part must hold exactly one data field")
    return texts, calls, responses


def _check_inline(inline: Any, where: str) -> None:
    if not isinstance(inline, dict) or not isinstance(_get(inline, "mimeType"), str):
        raise Failure("invalid_request", f"* {where}.mime_type: required")
    data = inline.get("data")
    try:
        if not isinstance(data, str) or not data:
            raise ValueError
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Failure(
            "invalid_request",
            f"Invalid value at '{where}.data' (TYPE_BYTES), Base64 decoding failed",
        ) from exc


def parse_generate(body: dict[str, Any]) -> Conversation:
    """Validate a GenerateContentRequest (without the model, which is in the URL)."""
    conv = Conversation()
    config = _get(body, "generationConfig")
    if config is not None:
        if not isinstance(config, dict):
            raise Failure("invalid_request", "generation_config: must be an object")
        limit = _get(config, "maxOutputTokens")
        if limit is not None:
            if not isinstance(limit, int) or limit < 1:
                raise Failure(
                    "invalid_request", "generation_config.max_output_tokens: must be >= 1"
                )
            conv.max_output = limit
        temperature = config.get("temperature")
        if temperature is not None and (
            not isinstance(temperature, int | float) or not 0 <= temperature <= 2
        ):
            raise Failure("invalid_request", "generation_config.temperature: must be in [0, 2]")
    system = _get(body, "systemInstruction")
    if system is not None:
        if not isinstance(system, dict):
            raise Failure("invalid_request", "system_instruction: must be a Content object")
        _parse_parts(system.get("parts"), "system_instruction", conv)
        conv.has_system = True
    tools = body.get("tools")
    if tools is not None:
        if not isinstance(tools, list):
            raise Failure("invalid_request", "tools: must be a list")
        for i, tool in enumerate(tools):
            declarations = _get(tool, "functionDeclarations") if isinstance(tool, dict) else None
            for k, decl in enumerate(declarations or []):
                if not isinstance(decl, dict) or not isinstance(decl.get("name"), str):
                    raise Failure(
                        "invalid_request", f"* tools[{i}].function_declarations[{k}].name: required"
                    )
                conv.tool_names.append(decl["name"])
                conv.add_text(decl["name"] + str(decl.get("description", "")))
    _parse_contents(body.get("contents"), conv)
    return conv


def _parse_contents(contents: Any, conv: Conversation) -> None:
    if not isinstance(contents, list) or not contents:
        raise Failure(
            "invalid_request", "* GenerateContentRequest.contents: contents is not specified"
        )
    previous_calls = 0
    previous_kind = "none"
    for i, content in enumerate(contents):
        where = f"contents[{i}]"
        if not isinstance(content, dict):
            raise Failure("invalid_request", f"* {where}: must be a Content object")
        role = content.get("role") or "user"
        if role not in ("user", "model"):
            raise Failure(
                "invalid_request",
                f"* {where}.role: Please use a valid role: user, model.",
            )
        texts, calls, responses = _parse_parts(content.get("parts"), where, conv)
        if role == "user" and calls:
            raise Failure(
                "invalid_request", f"* {where}: functionCall parts must be in a model turn"
            )
        if role == "model" and responses:
            raise Failure(
                "invalid_request", f"* {where}: functionResponse parts must be in a user turn"
            )
        if responses:
            if previous_kind != "call":
                raise Failure(
                    "invalid_request",
                    "Please ensure that function response turn comes immediately after a "
                    "function call turn.",
                )
            if responses != previous_calls:
                raise Failure(
                    "invalid_request",
                    "Please ensure that the number of function response parts is equal to the "
                    "number of function call parts of the function call turn.",
                )
        if calls and previous_kind not in ("user", "response"):
            raise Failure(
                "invalid_request",
                "Please ensure that function call turn comes immediately after a user turn or "
                "after a function response turn.",
            )
        if role == "model":
            conv.roles.append("assistant")
            previous_kind = "call" if calls else "model"
        elif responses:
            conv.roles.append("tool")
            previous_kind = "response"
        else:
            conv.roles.append("user")
            previous_kind = "user"
        if texts and role == "user":
            conv.last_user_text = " ".join(texts)
        if role == "user" and not responses:
            conv.tool_result_text = ""
        previous_calls = calls
    conv.last_is_tool_result = conv.roles[-1:] == ["tool"]


def plan(model: ModelInfo, conv: Conversation, scenario: Scenario, provider: str) -> ReplyPlan:
    """Plan the reply, worded for Gemini when the prompt is too long."""
    if conv.max_output is not None and conv.max_output > model.max_output:
        raise Failure(
            "invalid_request",
            f"The requested max_output_tokens ({conv.max_output}) exceeds the model's "
            f"maximum of {model.max_output}.",
        )
    try:
        return plan_reply(provider, model, conv, scenario, new_id("call_", 8))
    except ContextTooLong as too_long:
        raise Failure(
            "context_length",
            f"The input token count ({too_long.tokens}) exceeds the maximum number of tokens "
            f"allowed ({too_long.window}).",
        ) from too_long


def _usage(plan_: ReplyPlan, final: bool) -> dict[str, Any]:
    if not final:
        return {"promptTokenCount": plan_.input_tokens, "totalTokenCount": plan_.input_tokens}
    return {
        "promptTokenCount": plan_.input_tokens,
        "candidatesTokenCount": plan_.output_tokens,
        "totalTokenCount": plan_.input_tokens + plan_.output_tokens,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": plan_.input_tokens}],
    }


def response_chunks(model: str, plan_: ReplyPlan, *, streamed: bool) -> list[dict[str, Any]]:
    """GenerateContentResponse objects: one per piece when streamed, else a single one."""
    response_id = new_id("", 10)
    part_lists: list[list[dict[str, Any]]]
    if plan_.tool_call is not None:
        call = {
            "name": plan_.tool_call.name,
            "args": loads_object(plan_.tool_call.arguments.encode()),
        }
        part_lists = [[{"functionCall": call}]]
    elif streamed:
        part_lists = [[{"text": piece}] for piece in plan_.pieces]
    else:
        part_lists = [[{"text": plan_.text}]]
    chunks: list[dict[str, Any]] = []
    for index, parts in enumerate(part_lists):
        final = index == len(part_lists) - 1
        candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": 0}
        if final:
            candidate["finishReason"] = _FINISH[plan_.finish]
        chunks.append(
            {
                "candidates": [candidate],
                "usageMetadata": _usage(plan_, final),
                "modelVersion": model,
                "responseId": response_id,
            }
        )
    return chunks


async def _generate(
    state: SimulatorState, request: Request[Any, Any, Any], target: str
) -> Response[Any]:
    headers = request_headers(request)
    out_headers = {"x-request-id": new_id("", 16)}
    model_id, _, method = target.partition(":")
    streamed = method == "streamGenerateContent"
    entry: LoggedRequest | None = None
    try:
        body = loads_object(await request.body())
        entry = state.log.record(
            provider="gemini",
            path=request.url.path,
            headers=headers,
            body=body,
            model=model_id,
            stream=streamed,
        )
        model = _admit(state, request, headers, model_id, method)
        scenario = state.scenario_for(model_id)
        reply = plan(model, parse_generate(body), scenario, "gemini")
    except Failure as failure:
        if entry is None:
            entry = state.log.record(
                provider="gemini",
                path=request.url.path,
                headers=headers,
                body=None,
                model=model_id,
            )
        return error_response(failure, out_headers, entry, model=model_id)
    chunks = response_chunks(model_id, reply, streamed=streamed)
    if streamed and request.query_params.get("alt") == "sse":
        frames = [Frame(sse(dumps(chunk)), True) for chunk in chunks]
        return stream_response(frames, scenario, entry, malformed=_MALFORMED, headers=out_headers)
    payload = dumps(chunks if streamed else chunks[0])
    return await plain_response(payload, scenario, entry, out_headers)


def _admit(
    state: SimulatorState,
    request: Request[Any, Any, Any],
    headers: dict[str, str],
    model_id: str,
    method: str,
) -> ModelInfo:
    """The model a generate call may use, or the `Failure` Google answers with instead."""
    key = headers.get("x-goog-api-key") or request.query_params.get("key")
    if not key:
        raise Failure(
            "permission",
            "Method doesn't allow unregistered callers (callers without established "
            "identity). Please use API Key or other form of API consumer identity to "
            "call this API.",
        )
    fault = credential_failure(key, refusals_only=True)
    if fault is None:
        fault = state.scenario_for(model_id).failure() or credential_failure(key)
    if fault is not None:
        raise fault
    if method not in ("generateContent", "streamGenerateContent"):
        raise Failure("not_found", f"Method {method!r} is not served by the simulator.")
    model = find_model(model_id, "gemini")
    if model is None:
        version = request.url.path.split("/")[1]
        raise Failure(
            "not_found",
            f"models/{model_id} is not found for API version {version}, "
            "or is not supported for generateContent. Call ListModels to see the list "
            "of available models and their supported methods.",
        )
    return model


def gemini_routes(state: SimulatorState) -> list[HTTPRouteHandler]:
    """Handlers for ``/{v1beta,v1}/models/{model}:generateContent|streamGenerateContent``."""

    @post([f"/{v}/models/{{target:str}}" for v in VERSIONS], status_code=200)
    async def generate(request: Request[Any, Any, Any], target: str) -> Response[Any]:
        """``POST /v1beta/models/{model}:{method}``."""
        return await _generate(state, request, target)

    @get("/v1beta/models/{target:str}")
    async def get_model(request: Request[Any, Any, Any], target: str) -> Response[bytes]:
        """``GET /v1beta/models/{model}`` (model metadata, also used as a key check)."""
        return list_models(state, request, only=target)

    @get("/v1beta/models")
    async def models_v1beta(request: Request[Any, Any, Any]) -> Response[bytes]:
        """``GET /v1beta/models`` (the cheap key check)."""
        return list_models(state, request)

    return [generate, get_model, models_v1beta]


def _model_json(m: ModelInfo) -> dict[str, Any]:
    return {
        "name": f"models/{m.id}",
        "version": "001",
        "displayName": m.display_name,
        "inputTokenLimit": m.context_window,
        "outputTokenLimit": m.max_output,
        "supportedGenerationMethods": ["generateContent", "countTokens"],
    }


def list_models(
    state: SimulatorState, request: Request[Any, Any, Any], only: str | None = None
) -> Response[bytes]:
    """``{"models": [...]}``; with ``only`` the single model object (or 404)."""
    headers = request_headers(request)
    out_headers = {"x-request-id": new_id("", 16)}
    entry = state.log.record(
        provider="gemini", path=request.url.path, headers=headers, body=None, model=only
    )
    try:
        key = headers.get("x-goog-api-key") or request.query_params.get("key")
        if not key:
            raise Failure("permission", "Method doesn't allow unregistered callers.")
        fault = credential_failure(key, refusals_only=True) or state.scenario_for(None).failure()
        if fault is not None and fault.kind != "quota":
            raise fault
        if only is not None:
            model_id = only.removeprefix("models/")
            model = find_model(model_id, "gemini")
            if model is None:
                raise Failure("not_found", f"models/{model_id} is not found.")
            entry.status = 200
            return json_response(_model_json(model), headers=out_headers)
    except Failure as failure:
        return error_response(failure, out_headers, entry)
    entry.status = 200
    entry.completed = True
    return json_response(
        {"models": [_model_json(m) for m in models_of("gemini")]}, headers=out_headers
    )
