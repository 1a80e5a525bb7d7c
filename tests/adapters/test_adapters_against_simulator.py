"""Every built-in provider, through its real SDK over HTTP, against the provider simulator."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from adapters import (
    ApiKeyCredential,
    ChatRequest,
    ContextTooLong,
    ErrorEvent,
    Finish,
    Image,
    InvalidCredentials,
    Message,
    ModelInfo,
    ModelNotFound,
    Provider,
    ProviderError,
    ProviderRegistry,
    ProviderUnavailable,
    QuotaExhausted,
    RateLimited,
    Reasoning,
    Secret,
    StreamEvent,
    Text,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    ToolResult,
    ToolSpec,
    Usage,
)
from adapters.simulator.server import RunningSimulator

GOOD_KEY = "sk-test-good-0123456789abcdef"
# (provider id, model, base URL path under the simulator for user-supplied URLs)
CASES = [
    ("openai", "gpt-4o", None),
    ("anthropic", "claude-haiku-4-5", None),
    ("gemini", "gemini-2.5-flash", None),
    ("groq", "llama-3.3-70b-versatile", None),
    ("openai_compatible", "local-model", "/compat/v1"),
]
IDS = [c[0] for c in CASES]
WEATHER = ToolSpec(
    "get_weather",
    "Current weather for a city",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5f0000000049454e44ae426082"
)


def cred(sim: RunningSimulator, path: str | None, key: str = GOOD_KEY) -> ApiKeyCredential:
    return ApiKeyCredential(Secret(key), base_url=f"{sim.url}{path}" if path else None)


async def collect(
    provider: Provider, request: ChatRequest, c: ApiKeyCredential
) -> list[StreamEvent]:
    return [event async for event in provider.stream(request, c)]


def text_of(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def errors_of(events: list[StreamEvent]) -> list[ProviderError]:
    return [e.error for e in events if isinstance(e, ErrorEvent)]


def tool_calls(events: list[StreamEvent]) -> list[ToolCall]:
    by_index: dict[int, dict[str, str]] = {}
    for e in events:
        if isinstance(e, ToolCallDelta):
            slot = by_index.setdefault(e.index, {"id": "", "name": "", "args": ""})
            slot["id"] = e.id or slot["id"]
            slot["name"] = e.name or slot["name"]
            slot["args"] += e.arguments_delta
    return [
        ToolCall(s["id"], s["name"], json.loads(s["args"] or "{}"))
        for _, s in sorted(by_index.items())
    ]


def scenario(sim: RunningSimulator, **body: object) -> None:
    response = httpx.post(f"{sim.url}/_simulator/scenario", json={"model": "*", **body})
    assert response.status_code == 200, response.text


def logged(sim: RunningSimulator) -> list[dict[str, object]]:
    requests: list[dict[str, object]] = httpx.get(f"{sim.url}/_simulator/requests").json()[
        "requests"
    ]
    return requests


def user(text: str) -> Message:
    return Message("user", (Text(text),))


@dataclass(frozen=True)
class Case:
    """One built-in provider and its served model, aimed at the simulator."""

    provider: Provider
    model: ModelInfo
    sim: RunningSimulator
    path: str | None

    @property
    def id(self) -> str:
        return self.provider.id

    def cred(self, key: str = GOOD_KEY) -> ApiKeyCredential:
        return cred(self.sim, self.path, key)

    def request(self, *messages: Message, **options: Any) -> ChatRequest:
        return ChatRequest(self.model.id, messages, **options)

    async def stream(self, request: ChatRequest, key: str = GOOD_KEY) -> list[StreamEvent]:
        return await collect(self.provider, request, self.cred(key))


def make_case(registry: ProviderRegistry, sim: RunningSimulator, index: int) -> Case:
    provider_id, model, path = CASES[index]
    provider, info = registry.resolve_model(f"{provider_id}/{model}")
    return Case(provider, info, sim, path)


@pytest.fixture(params=range(len(CASES)), ids=IDS)
def case(request: pytest.FixtureRequest, registry: ProviderRegistry, sim: RunningSimulator) -> Case:
    """Each built-in provider in turn."""
    return make_case(registry, sim, request.param)


@pytest.fixture(params=range(4), ids=IDS[:4])
def catalogued(
    request: pytest.FixtureRequest, registry: ProviderRegistry, sim: RunningSimulator
) -> Case:
    """The providers with a fixed catalogue (an OpenAI-compatible server serves any model)."""
    return make_case(registry, sim, request.param)


async def test_streams_text_then_usage_then_stop(case: Case) -> None:
    request = case.request(Message("system", (Text("Be brief."),)), user("hello there"))

    events = await case.stream(request)

    assert errors_of(events) == []
    assert text_of(events).startswith("[")
    assert "hello there" in text_of(events)
    assert len([e for e in events if isinstance(e, TextDelta)]) > 1, "answer should stream"
    usage = [e for e in events if isinstance(e, Usage)]
    assert usage
    assert usage[-1].input_tokens > 0
    assert usage[-1].output_tokens > 0
    assert events[-1] == Finish("stop")


async def test_tool_call_round_trip(case: Case) -> None:
    asked = user("please use the tool for Paris")
    first = await case.stream(case.request(asked, tools=(WEATHER,)))

    assert errors_of(first) == []
    assert first[-1] == Finish("tool_calls")
    calls = tool_calls(first)
    assert [c.name for c in calls] == ["get_weather"]
    assert calls[0].id

    answered = Message("tool", (ToolResult(calls[0].id, "get_weather", "18 C and sunny"),))
    second = await case.stream(
        case.request(asked, Message("assistant", tuple(calls)), answered, tools=(WEATHER,))
    )

    assert errors_of(second) == []
    assert second[-1] == Finish("stop")
    assert text_of(second)


async def test_validate_accepts_good_key_and_rejects_bad_key_without_echoing_it(
    case: Case,
) -> None:
    bad_key = "sk-invalid-9f8e7d6c5b4a39281706"

    good = await case.provider.validate(case.cred())
    bad = await case.provider.validate(case.cred(bad_key))

    assert good.status == "valid"
    assert bad.status == "invalid"
    assert bad_key not in bad.message
    assert "9281706" not in bad.message
    assert case.provider.display_name in bad.message


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("sk-ratelimit-0123456789abcdef", RateLimited),
        ("sk-quota-0123456789abcdef", QuotaExhausted),
        ("sk-invalid-0123456789abcdef", InvalidCredentials),
    ],
    ids=["ratelimit", "quota", "invalid"],
)
async def test_fault_keys_map_to_normalized_errors_without_the_key(
    case: Case, key: str, expected: type[ProviderError]
) -> None:
    events = await case.stream(case.request(user("hi")), key)

    errors = errors_of(events)
    assert [type(e) for e in errors] == [expected]
    assert key not in repr(errors[0])
    assert key not in errors[0].message


FAULTS: list[tuple[str, type[ProviderError]]] = [
    ("invalid_key", InvalidCredentials),
    ("rate_limit", RateLimited),
    ("quota", QuotaExhausted),
    ("overloaded", ProviderUnavailable),
    ("malformed", ProviderUnavailable),
    ("disconnect", ProviderUnavailable),
]


@pytest.mark.parametrize(("fault", "expected"), FAULTS, ids=[f[0] for f in FAULTS])
async def test_injected_fault_becomes_normalized_error_event(
    case: Case, fault: str, expected: type[ProviderError]
) -> None:
    scenario(case.sim, error=fault)

    events = await case.stream(case.request(user("hi")))

    errors = errors_of(events)
    assert len(errors) == 1, events
    assert type(errors[0]) is expected, errors[0]
    assert errors[0].provider == case.id
    assert GOOD_KEY not in errors[0].message
    assert events[-1] == Finish("error")
    if isinstance(errors[0], RateLimited) and fault == "rate_limit":
        assert errors[0].retry_after is not None
        assert errors[0].status == 429


async def test_errors_keep_status_and_request_id(case: Case) -> None:
    events = await case.stream(case.request(user("hi")), "sk-invalid-000000000000")

    error = errors_of(events)[0]
    assert isinstance(error, InvalidCredentials)
    assert error.status in (400, 401)
    if case.id in ("openai", "anthropic", "groq", "openai_compatible"):
        assert error.request_id
        assert "redacted" not in error.request_id


def one_canonical_history() -> tuple[Message, ...]:
    """A history built across providers: system, image, signed reasoning, tools, an orphan."""
    return (
        Message("system", (Text("You are terse."),)),
        Message("user", (Text("What is in this picture?"), Image("image/png", PNG))),
        Message(
            "assistant",
            (
                Reasoning(
                    "The user wants a description.", signature="sig-abc", provider="anthropic"
                ),
                Reasoning("Foreign thought.", signature="x", provider="gemini"),
                Text("A single pixel. Let me check the weather too."),
                ToolCall("toolu_01ABC", "get_weather", {"city": "Paris"}),
            ),
        ),
        Message("tool", (ToolResult("toolu_01ABC", "get_weather", "18 C"),)),
        Message("tool", (ToolResult("call_from_a_deleted_branch", "get_weather", "9 C"),)),
        Message("assistant", (Text("It is 18 C in Paris."),)),
        Message("user", (Text("Thanks. And tomorrow?"),)),
        Message("user", (Text("Answer briefly."),)),
    )


async def test_one_canonical_history_is_accepted_by_every_provider(case: Case) -> None:
    events = await case.stream(case.request(*one_canonical_history(), tools=(WEATHER,)))

    assert errors_of(events) == [], errors_of(events)
    assert events[-1] == Finish("stop")
    assert "Answer briefly." in text_of(events)


async def test_history_starting_with_assistant_is_accepted_by_anthropic_and_gemini(
    registry: ProviderRegistry, sim: RunningSimulator
) -> None:
    history = (Message("assistant", (Text("Hello! How can I help?"),)), user("Tell me a joke"))
    for ref in ("anthropic/claude-haiku-4-5", "gemini/gemini-2.5-flash"):
        provider, info = registry.resolve_model(ref)
        events = await collect(provider, ChatRequest(info.id, history), cred(sim, None))
        assert errors_of(events) == [], ref
        assert events[-1] == Finish("stop")


async def test_sdk_retries_are_off(registry: ProviderRegistry, sim: RunningSimulator) -> None:
    scenario(sim, error="overloaded")
    for provider_id, model, path in CASES:
        provider, info = registry.resolve_model(f"{provider_id}/{model}")
        httpx.delete(f"{sim.url}/_simulator/requests")
        await collect(provider, ChatRequest(info.id, (user("hi"),)), cred(sim, path))
        chat_calls = [r for r in logged(sim) if r.get("model") == model]
        assert len(chat_calls) == 1, (provider_id, chat_calls)


async def test_auth_headers_carry_the_key_only_where_the_provider_expects_it(
    registry: ProviderRegistry, sim: RunningSimulator
) -> None:
    provider, info = registry.resolve_model("anthropic/claude-haiku-4-5")
    await collect(provider, ChatRequest(info.id, (user("hi"),)), cred(sim, None))
    entry = logged(sim)[-1]
    headers = {str(k).lower(): str(v) for k, v in dict(entry["headers"]).items()}  # type: ignore[call-overload]
    assert "authorization" not in headers
    assert "anthropic-version" in headers


async def test_output_limit_and_temperature_are_accepted_and_length_is_reported(
    case: Case,
) -> None:
    events = await case.stream(case.request(user("hi"), max_output_tokens=3, temperature=0.2))

    assert errors_of(events) == []
    assert events[-1] == Finish("length")


async def test_unknown_model_is_model_not_found(catalogued: Case) -> None:
    events = await catalogued.stream(ChatRequest("no-such-model", (user("hi"),)))

    assert [type(e) for e in errors_of(events)] == [ModelNotFound]


@pytest.mark.parametrize(
    ("ref", "path"),
    [("groq/gemma2-9b-it", None), ("openai_compatible/local-model", "/compat/v1")],
)
async def test_history_over_the_context_window_is_context_too_long(
    registry: ProviderRegistry, sim: RunningSimulator, ref: str, path: str | None
) -> None:
    provider, info = registry.resolve_model(ref)

    events = await collect(
        provider, ChatRequest(info.id, (user("word " * 40_000),)), cred(sim, path)
    )

    assert [type(e) for e in errors_of(events)] == [ContextTooLong]


async def test_list_models_includes_the_served_model(case: Case) -> None:
    models = await case.provider.list_models(case.cred())

    assert case.model.id in [m.id for m in models]
    assert all(m.provider == case.id for m in models)


async def test_list_models_with_a_bad_key_raises_invalid_credentials(
    registry: ProviderRegistry, sim: RunningSimulator
) -> None:
    with pytest.raises(InvalidCredentials):
        await registry.get("openai").list_models(cred(sim, None, "sk-invalid-00000000000000"))


async def test_breaking_out_of_a_stream_closes_it_cleanly(
    registry: ProviderRegistry, sim: RunningSimulator
) -> None:
    scenario(sim, interval_ms=50, chunks=40)
    provider, info = registry.resolve_model("openai/gpt-4o")
    stream = provider.stream(ChatRequest(info.id, (user("a long answer please"),)), cred(sim, None))

    first = await anext(stream)
    await stream.aclose()

    assert isinstance(first, TextDelta)
