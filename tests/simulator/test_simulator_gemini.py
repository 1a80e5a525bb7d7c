"""Gemini and Code Assist routes, through google-genai and plain httpx (Code Assist has no SDK)."""

from __future__ import annotations

import json

import pytest
from google import genai
from google.genai import errors, types

from adapters.simulator.server import RunningSimulator
from tests.simulator.sim_helpers import HTTP, logged, set_scenario

_CLIENTS: dict[tuple[str, str], genai.Client] = {}


def client(sim: RunningSimulator, key: str = "AIza-test") -> genai.Client:
    """A cached SDK client (building one costs tens of milliseconds)."""
    cache_key = (sim.url, key)
    if cache_key not in _CLIENTS:
        options = types.HttpOptions(base_url=sim.url)
        _CLIENTS[cache_key] = genai.Client(api_key=key, http_options=options)
    return _CLIENTS[cache_key]


async def test_stream_describes_context_with_usage(sim: RunningSimulator) -> None:
    contents = [
        types.Content(role="user", parts=[types.Part(text="first")]),
        types.Content(role="model", parts=[types.Part(text="ok")]),
        types.Content(
            role="user",
            parts=[
                types.Part(text="look at this"),
                types.Part.from_bytes(data=b"\x89PNG fake", mime_type="image/png"),
            ],
        ),
    ]
    pieces: list[str] = []
    last = None
    async for chunk in await client(sim).aio.models.generate_content_stream(
        model="gemini-2.5-flash",
        contents=contents,
        config=types.GenerateContentConfig(system_instruction="short answers"),
    ):
        pieces.append(chunk.text or "")
        last = chunk
    assert "".join(pieces) == (
        "[gemini/gemini-2.5-flash] messages=3 roles=user,assistant,user system=yes images=1 "
        "last_user=look at this"
    )
    assert len(pieces) == 8
    assert last is not None
    assert last.candidates is not None
    assert last.candidates[0].finish_reason == types.FinishReason.STOP
    assert last.usage_metadata is not None
    assert last.usage_metadata.candidates_token_count
    assert last.usage_metadata.prompt_token_count


async def test_function_call_round_trip(sim: RunningSimulator) -> None:
    tool = types.Tool(
        function_declarations=[types.FunctionDeclaration(name="weather", description="w")]
    )
    config = types.GenerateContentConfig(tools=[tool])
    asked = types.Content(role="user", parts=[types.Part(text="use the tool")])
    first = await client(sim).aio.models.generate_content(
        model="gemini-2.5-pro", contents=[asked], config=config
    )
    assert first.function_calls
    call = first.function_calls[0]
    assert call.name == "weather"
    assert call.args == {"query": "use the tool"}
    answer = await client(sim).aio.models.generate_content(
        model="gemini-2.5-pro",
        config=config,
        contents=[
            asked,
            types.Content(role="model", parts=[types.Part(function_call=call)]),
            types.Content(
                role="user",
                parts=[types.Part.from_function_response(name="weather", response={"t": "21C"})],
            ),
        ],
    )
    assert answer.text is not None
    assert "roles=user,assistant,tool" in answer.text
    assert "21C" in answer.text


async def test_orphan_function_response_and_bad_role_refused(sim: RunningSimulator) -> None:
    with pytest.raises(errors.ClientError) as info:
        await client(sim).aio.models.generate_content(
            model="gemini-2.5-flash",
            contents=[
                types.Content(
                    role="user",
                    parts=[types.Part.from_function_response(name="f", response={"x": 1})],
                )
            ],
        )
    assert info.value.code == 400
    assert "function response turn" in str(info.value.message)
    with pytest.raises(errors.ClientError) as info:
        await client(sim).aio.models.generate_content(
            model="gemini-2.5-flash",
            contents=[types.Content(role="assistant", parts=[types.Part(text="x")])],
        )
    assert info.value.status == "INVALID_ARGUMENT"


async def test_unknown_model_is_404(sim: RunningSimulator) -> None:
    with pytest.raises(errors.ClientError) as info:
        await client(sim).aio.models.generate_content(model="gemini-9", contents="x")
    assert info.value.code == 404


async def test_key_faults(sim: RunningSimulator) -> None:
    with pytest.raises(errors.ClientError) as info:
        await client(sim, "AIza-invalid").aio.models.generate_content(
            model="gemini-2.5-flash", contents="x"
        )
    assert info.value.code == 400
    assert info.value.details["error"]["details"][0]["reason"] == "API_KEY_INVALID"

    with pytest.raises(errors.ClientError) as info:
        await client(sim, "AIza-ratelimit").aio.models.generate_content(
            model="gemini-2.5-flash", contents="x"
        )
    assert info.value.code == 429
    kinds = {d["@type"].rsplit(".", 1)[-1]: d for d in info.value.details["error"]["details"]}
    assert kinds["RetryInfo"]["retryDelay"] == "1s"
    assert "PerMinute" in kinds["QuotaFailure"]["violations"][0]["quotaId"]

    with pytest.raises(errors.ClientError) as info:
        await client(sim, "AIza-quota").aio.models.generate_content(
            model="gemini-2.5-flash", contents="x"
        )
    assert info.value.status == "RESOURCE_EXHAUSTED"
    kinds = {d["@type"].rsplit(".", 1)[-1]: d for d in info.value.details["error"]["details"]}
    assert "PerDay" in kinds["QuotaFailure"]["violations"][0]["quotaId"]


async def test_overloaded_is_503(sim: RunningSimulator) -> None:
    set_scenario(sim, model="gemini-2.5-flash", error="overloaded")
    with pytest.raises(errors.ServerError) as info:
        await client(sim).aio.models.generate_content(model="gemini-2.5-flash", contents="x")
    assert info.value.code == 503
    assert info.value.status == "UNAVAILABLE"


async def test_models_listing_on_both_versions(sim: RunningSimulator) -> None:
    names = [m.name async for m in await client(sim).aio.models.list()]
    assert "models/gemini-2.5-pro" in names
    response = HTTP.get(f"{sim.url}/v1beta/models", headers={"x-goog-api-key": "k"})
    assert response.status_code == 200
    assert {m["name"] for m in response.json()["models"]} >= {"models/gemini-2.5-flash"}


def test_code_assist_wrapped_stream(sim: RunningSimulator) -> None:
    headers = {"authorization": "Bearer sim-ok-google"}
    load = HTTP.post(
        f"{sim.url}/code-assist/v1internal:loadCodeAssist",
        headers=headers,
        json={"metadata": {"ideType": "IDE_UNSPECIFIED", "pluginType": "GEMINI"}},
    )
    assert load.status_code == 200
    project = load.json()["cloudaicompanionProject"]
    assert load.json()["currentTier"]["id"]
    body = {
        "model": "gemini-2.5-pro",
        "project": project,
        "user_prompt_id": "p1",
        "request": {"contents": [{"role": "user", "parts": [{"text": "hi cli"}]}]},
    }
    with HTTP.stream(
        "POST",
        f"{sim.url}/code-assist/v1internal:streamGenerateContent?alt=sse",
        headers=headers,
        json=body,
    ) as response:
        assert response.status_code == 200
        events = [
            json.loads(line[len("data: ") :])
            for line in response.iter_lines()
            if line.startswith("data: ")
        ]
    text = "".join(e["response"]["candidates"][0]["content"]["parts"][0]["text"] for e in events)
    assert text.startswith("[code_assist/gemini-2.5-pro] messages=1")
    assert all("traceId" in e for e in events)
    assert events[-1]["response"]["usageMetadata"]["totalTokenCount"] > 0

    refused = HTTP.post(
        f"{sim.url}/code-assist/v1internal:generateContent",
        headers={"authorization": "Bearer not-issued"},
        json=body,
    )
    assert refused.status_code == 401
    assert refused.json()["error"]["status"] == "UNAUTHENTICATED"
    assert all("authorization" not in e["headers"] for e in logged(sim)["requests"])
