"""Code Assist (``cloudcode-pa``, ``v1internal``) wire format used by Gemini CLI logins.

It wraps ordinary Gemini objects: requests are ``{"model", "project", "user_prompt_id",
"request": {GenerateContentRequest}}`` and responses ``{"response": {...}, "traceId": ...}``.
Auth is a Google OAuth access token, which must be one the simulator's Google token endpoint
issued and not expired (or a static ``sim-ok-`` token). Served under ``/code-assist``.
"""

from __future__ import annotations

from typing import Any, Final

from litestar import Request, Response, post
from litestar.handlers import HTTPRouteHandler

from adapters.simulator.catalogue import ModelInfo, find_model
from adapters.simulator.common import (
    Failure,
    bearer_token,
    credential_failure,
    dumps,
    json_response,
    loads_object,
    new_id,
    request_headers,
)
from adapters.simulator.gemini_wire import error_response, parse_generate, plan, response_chunks
from adapters.simulator.oauth_tokens import check_oauth_bearer
from adapters.simulator.replies import ReplyPlan
from adapters.simulator.sse import Frame, plain_response, sse, stream_response
from adapters.simulator.state import LoggedRequest, Scenario, SimulatorState

PREFIX: Final = "/code-assist"
DEFAULT_PROJECT: Final = "sim-project-0001"
_MALFORMED: Final = b'data: {"response": {"candidates": [{"content": \n\n'
_TIER: Final = {
    "id": "free-tier",
    "name": "Gemini Code Assist for individuals",
    "description": "Simulated free tier",
    "userDefinedCloudaicompanionProject": False,
}


def _authenticate(state: SimulatorState, headers: dict[str, str]) -> str:
    token = bearer_token(headers.get("authorization"))
    if token is None:
        raise Failure("auth", "Request is missing required authentication credential.")
    fault = credential_failure(token, refusals_only=True)
    if fault is not None:
        raise fault
    check_oauth_bearer(state, "google", token)
    return token


def code_assist_routes(state: SimulatorState) -> list[HTTPRouteHandler]:
    """Handlers for ``/code-assist/v1internal:{method}``."""

    @post(f"{PREFIX}/{{target:str}}", status_code=200)
    async def dispatch(request: Request[Any, Any, Any], target: str) -> Response[Any]:
        """``POST /code-assist/v1internal:{loadCodeAssist|onboardUser|generateContent|...}``."""
        return await _dispatch(state, request, target)

    return [dispatch]


async def _dispatch(
    state: SimulatorState, request: Request[Any, Any, Any], target: str
) -> Response[Any]:
    headers = request_headers(request)
    out_headers = {"x-request-id": new_id("", 16)}
    version, _, method = target.partition(":")
    streamed = method == "streamGenerateContent"
    entry: LoggedRequest | None = None
    model_id: str | None = None
    try:
        body = loads_object(await request.body())
        model_id = body.get("model") if isinstance(body.get("model"), str) else None
        entry = state.log.record(
            provider="code_assist",
            path=request.url.path,
            headers=headers,
            body=body,
            model=model_id,
            stream=streamed,
        )
        token = _authenticate(state, headers)
        if version != "v1internal":
            raise Failure("not_found", f"Unknown API version {version!r}.")
        if method == "loadCodeAssist":
            return _load(body, entry, out_headers)
        if method == "onboardUser":
            return _onboard(body, entry, out_headers)
        if method not in ("generateContent", "streamGenerateContent"):
            raise Failure("not_found", f"Method {method!r} is not served by the simulator.")
        scenario = state.scenario_for(model_id)
        model, reply = _plan_generate(body, model_id, scenario, token)
    except Failure as failure:
        if entry is None:
            entry = state.log.record(
                provider="code_assist", path=request.url.path, headers=headers, body=None
            )
        return error_response(failure, out_headers, entry, model=model_id, flavour="code_assist")
    trace = new_id("", 8)
    wrapped = [
        {"response": chunk, "traceId": trace}
        for chunk in response_chunks(model.id, reply, streamed=streamed)
    ]
    if streamed:
        frames = [Frame(sse(dumps(chunk)), True) for chunk in wrapped]
        return stream_response(frames, scenario, entry, malformed=_MALFORMED, headers=out_headers)
    return await plain_response(dumps(wrapped[0]), scenario, entry, out_headers)


def _plan_generate(
    body: dict[str, Any], model_id: str | None, scenario: Scenario, token: str
) -> tuple[ModelInfo, ReplyPlan]:
    """The model and reply for a generate call, or the `Failure` Code Assist answers with."""
    fault = scenario.failure() or credential_failure(token)
    if fault is not None:
        raise fault
    if not isinstance(body.get("project"), str) or not body["project"]:
        raise Failure(
            "invalid_request",
            "project is required (resolve it with :loadCodeAssist first).",
        )
    model = find_model(model_id or "", "gemini")
    if model is None:
        raise Failure("not_found", f"Requested entity was not found: model {model_id}.")
    inner = body.get("request")
    if not isinstance(inner, dict):
        raise Failure("invalid_request", "request: a GenerateContentRequest is required")
    return model, plan(model, parse_generate(inner), scenario, "code_assist")


def _load(body: dict[str, Any], entry: LoggedRequest, headers: dict[str, str]) -> Response[bytes]:
    """``:loadCodeAssist``: the user's tier and companion project (echoes a given project)."""
    metadata = body.get("metadata")
    if not isinstance(metadata, dict):
        raise Failure("invalid_request", "metadata: required (ideType, platform, pluginType)")
    project = body.get("cloudaicompanionProject") or DEFAULT_PROJECT
    entry.status = 200
    entry.completed = True
    return json_response(
        {
            "currentTier": _TIER,
            "allowedTiers": [{**_TIER, "isDefault": True}],
            "cloudaicompanionProject": project,
            "gcpManaged": False,
        },
        headers=headers,
    )


def _onboard(
    body: dict[str, Any], entry: LoggedRequest, headers: dict[str, str]
) -> Response[bytes]:
    """``:onboardUser``: a long-running operation that is already done."""
    project = body.get("cloudaicompanionProject") or DEFAULT_PROJECT
    entry.status = 200
    entry.completed = True
    return json_response(
        {
            "name": "operations/sim-onboard",
            "done": True,
            "response": {
                "@type": "type.googleapis.com/google.internal.cloud.code.v1internal"
                ".OnboardUserResponse",
                "cloudaicompanionProject": {"id": project, "name": project},
            },
        },
        headers=headers,
    )
