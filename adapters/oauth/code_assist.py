"""The Code Assist (``cloudcode-pa``, ``v1internal``) wire used by Gemini CLI logins.

Requests wrap an ordinary Gemini ``GenerateContentRequest`` (built by `wire.gemini_contents`)
as ``{"model", "project", "user_prompt_id", "request": {...}}``; responses wrap each chunk as
``{"response": {...}, "traceId"}``. There is no SDK for it, so this is plain httpx.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

import httpx
from google.genai import errors as genai_errors
from google.genai import types as gt

from adapters.errors import PermissionDenied, ProviderError, ProviderUnavailable, QuotaExhausted
from adapters.gemini.errors import map_gemini_error, rpc_details
from adapters.gemini.translate import to_params
from adapters.types import ChatRequest

API_VERSION = "v1internal"
CLIENT_METADATA: dict[str, str] = {
    "ideType": "IDE_UNSPECIFIED",
    "platform": "PLATFORM_UNSPECIFIED",
    "pluginType": "GEMINI",
}
ONBOARD_POLLS = 6
ONBOARD_POLL_INTERVAL_S = 2.0


def _dump(model: gt.Content | gt.Tool) -> dict[str, object]:
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def wrap_request(request: ChatRequest, *, project: str, session_id: str) -> dict[str, object]:
    """The Code Assist body for one chat call (camelCase, as the REST API spells it)."""
    params = to_params(request)
    inner: dict[str, object] = {
        "contents": [_dump(c) for c in params.contents],
        "session_id": session_id,
    }
    if params.system_instruction:
        inner["systemInstruction"] = {
            "role": "user",
            "parts": [{"text": params.system_instruction}],
        }
    if params.tools:
        inner["tools"] = [_dump(t) for t in params.tools]
    generation: dict[str, object] = {}
    if request.max_output_tokens is not None:
        generation["maxOutputTokens"] = request.max_output_tokens
    if request.temperature is not None:
        generation["temperature"] = request.temperature
    if request.top_p is not None:
        generation["topP"] = request.top_p
    if generation:
        inner["generationConfig"] = generation
    return {
        "model": request.model,
        "project": project,
        "user_prompt_id": uuid.uuid4().hex,
        "request": inner,
    }


def unwrap_chunk(payload: Mapping[str, object]) -> gt.GenerateContentResponse:
    """One streamed (or whole) Code Assist response as a google-genai response object."""
    inner = payload.get("response")
    return gt.GenerateContentResponse.model_validate(inner if isinstance(inner, dict) else {})


@dataclass(frozen=True, slots=True)
class CodeAssistClient:
    """Authenticated calls to ``{base}/v1internal:{method}`` for one access token."""

    http: httpx.AsyncClient
    base_url: str
    token: str
    provider: str
    display: str

    def _url(self, method: str) -> str:
        return f"{self.base_url.rstrip('/')}/{API_VERSION}:{method}"

    def _headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}", "content-type": "application/json"}

    async def call(self, method: str, body: Mapping[str, object]) -> dict[str, object]:
        """A unary method; raises a normalized `ProviderError`."""
        try:
            response = await self.http.post(self._url(method), json=body, headers=self._headers())
        except Exception as exc:
            raise self.error(exc) from None
        if response.status_code >= 400:
            raise self.http_error(response.status_code, response.content, response)
        try:
            value = response.json()
        except ValueError:
            value = None
        if not isinstance(value, dict):
            raise ProviderUnavailable(
                f"{self.display} sent a response that could not be read.", provider=self.provider
            )
        return value

    async def stream(self, body: Mapping[str, object]) -> AsyncIterator[dict[str, object]]:
        """The SSE chunks of ``:streamGenerateContent?alt=sse`` as JSON objects."""
        url = self._url("streamGenerateContent") + "?alt=sse"
        async with self.http.stream("POST", url, json=body, headers=self._headers()) as response:
            if response.status_code >= 400:
                raw = await response.aread()
                raise self.http_error(response.status_code, raw, response)
            data: list[str] = []
            async for line in response.aiter_lines():
                if line.startswith("data:"):
                    data.append(line[5:].strip())
                elif not line.strip() and data:
                    yield _chunk(data)
                    data = []
            if data:
                yield _chunk(data)

    async def resolve_project(self) -> str:
        """The user's Code Assist project: ``:loadCodeAssist``, onboarding if there is no tier."""
        loaded = await self.call("loadCodeAssist", {"metadata": CLIENT_METADATA})
        project = _project_id(loaded.get("cloudaicompanionProject"))
        if loaded.get("currentTier") and project:
            return project
        body = {"tierId": _default_tier(loaded), "metadata": CLIENT_METADATA}
        for attempt in range(ONBOARD_POLLS):
            operation = await self.call("onboardUser", body)
            if operation.get("done"):
                result = operation.get("response")
                found = (
                    _project_id(result.get("cloudaicompanionProject"))
                    if isinstance(result, dict)
                    else ""
                )
                if found:
                    return found
                break
            if attempt + 1 < ONBOARD_POLLS:
                await asyncio.sleep(ONBOARD_POLL_INTERVAL_S)
        raise PermissionDenied(
            f"{self.display} could not find or set up a Code Assist project for this account. "
            "Run the Gemini CLI once to finish setup, or add a `projectId` field to the file.",
            provider=self.provider,
        )

    def error(self, exc: BaseException) -> ProviderError:
        return map_gemini_error(
            exc, provider=self.provider, display=self.display, secrets=(self.token,)
        )

    def http_error(self, status: int, raw: bytes, response: httpx.Response) -> ProviderError:
        """A Code Assist error body (google.rpc style) as a normalized error."""
        try:
            body: object = json.loads(raw)
        except ValueError:
            body = {"error": {"code": status, "message": raw.decode("utf-8", "replace")[:300]}}
        reasons = {str(d.get("reason")) for d in rpc_details(body) if d.get("reason")}
        message = _message(body)
        said = f" {self.display} said: {message[:300]}" if message else ""
        if "QUOTA_EXHAUSTED" in reasons:
            return QuotaExhausted(
                f"{self.display} says this account's quota is used up (HTTP {status}); it resets "
                f"later, or use another key.{said}",
                provider=self.provider,
                status=status,
                secrets=(self.token,),
            )
        if "VALIDATION_REQUIRED" in reasons:
            return PermissionDenied(
                f"Google asks this account to verify itself before using {self.display} "
                f"(HTTP {status}); sign in to the Gemini CLI once and follow its link.{said}",
                provider=self.provider,
                status=status,
                secrets=(self.token,),
            )
        return self.error(genai_errors.APIError(status, body, response))


def _chunk(data: list[str]) -> dict[str, object]:
    try:
        value = json.loads("\n".join(data))
    except ValueError:
        raise ValueError("malformed Code Assist stream chunk") from None
    if not isinstance(value, dict):
        raise ValueError("malformed Code Assist stream chunk")
    return value


def _message(body: object) -> str:
    if isinstance(body, dict):
        inner = body.get("error")
        if isinstance(inner, dict):
            return str(inner.get("message") or "")
    return ""


def _project_id(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        found = value.get("id")
        return found if isinstance(found, str) else ""
    return ""


def _default_tier(loaded: Mapping[str, object]) -> str:
    tiers = loaded.get("allowedTiers")
    for tier in tiers if isinstance(tiers, list) else []:
        if isinstance(tier, dict) and tier.get("isDefault") and isinstance(tier.get("id"), str):
            return str(tier["id"])
    return "free-tier"
