"""Translators: one canonical history becomes a valid request for every provider."""

from __future__ import annotations

import itertools

import msgspec
from anthropic.types import RawMessageStreamEvent
from pydantic import TypeAdapter

from adapters.anthropic import translate as anthropic_messages
from adapters.gemini import translate as gemini_contents
from adapters.history import prepare_history, safe_tool_id
from adapters.openai_chat import translate as openai_chat
from adapters.openai_chat.wire import Chunk
from adapters.types import (
    ChatRequest,
    Image,
    Message,
    Reasoning,
    ReasoningDelta,
    ReasoningSignature,
    Text,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    ToolResult,
    ToolSpec,
    Usage,
)

PNG = b"\x89PNG\r\n\x1a\nfake"
TOOL = ToolSpec("get_weather", "Weather", {"type": "object", "properties": {}})
HISTORY = (
    Message("system", (Text("You are terse."),)),
    Message("user", (Text("What is this?"), Image("image/png", PNG))),
    Message(
        "assistant",
        (
            Reasoning("thinking about it", signature="sig-1", provider="anthropic"),
            Reasoning("gemini thoughts", signature="g", provider="gemini"),
            Reasoning("unsigned thoughts"),
            Text("A pixel. Checking weather."),
            ToolCall("toolu_01ABC", "get_weather", {"city": "Paris"}),
        ),
    ),
    Message("tool", (ToolResult("toolu_01ABC", "get_weather", "18 C"),)),
    Message("tool", (ToolResult("call_gone", "get_weather", "9 C"),)),
    Message("assistant", (Text("18 C."),)),
    Message("user", (Text("Thanks."),)),
    Message("user", (Text("Tomorrow?"),)),
)
REQUEST = ChatRequest("m", HISTORY, tools=(TOOL,))


def test_orphan_tool_result_is_degraded_to_user_text() -> None:
    prepared = prepare_history(HISTORY)

    assert prepared.system == "You are terse."
    orphan_turns = [m for m in prepared.messages if "call_gone" in repr(m)]
    assert orphan_turns == []
    assert any("[tool get_weather result: 9 C]" in m.text() for m in prepared.messages)


def test_unanswered_tool_call_is_degraded_to_text() -> None:
    history = (
        Message("user", (Text("hi"),)),
        Message("assistant", (ToolCall("c1", "get_weather", {"city": "Oslo"}),)),
        Message("user", (Text("never mind"),)),
    )

    prepared = prepare_history(history)

    assert not any(isinstance(p, ToolCall) for m in prepared.messages for p in m.parts)
    assert "[called tool get_weather" in prepared.messages[1].text()


def test_foreign_tool_ids_are_normalized_the_same_way_for_call_and_result() -> None:
    odd = "functions.get_weather:0/with spaces and a very long suffix indeed"
    assert safe_tool_id(odd) == safe_tool_id(odd)
    assert len(safe_tool_id(odd)) <= 40
    assert safe_tool_id("toolu_01ABC") == "toolu_01ABC"


def test_openai_messages_shape() -> None:
    messages = openai_chat.to_messages(REQUEST)

    assert messages[0] == {"role": "system", "content": "You are terse."}
    user = messages[1]
    assert isinstance(user["content"], list)
    assert user["content"][1]["image_url"]["url"].startswith("data:image/png;base64,")
    assistant = messages[2]
    assert assistant["role"] == "assistant"
    assert assistant["tool_calls"][0]["id"] == "toolu_01ABC"  # type: ignore[index]
    assert assistant["tool_calls"][0]["function"]["arguments"] == '{"city": "Paris"}'  # type: ignore[index]
    assert messages[3] == {"role": "tool", "tool_call_id": "toolu_01ABC", "content": "18 C"}
    assert messages[4]["role"] == "user"
    assert "9 C" in str(messages[4]["content"])
    assert "thinking" not in repr(messages)
    assert "unsigned" not in repr(messages)
    assert openai_chat.to_tools(REQUEST)[0]["function"]["name"] == "get_weather"  # type: ignore[index]


def test_anthropic_params_alternate_and_pair_tools() -> None:
    params = anthropic_messages.to_params(REQUEST)

    assert params.system == "You are terse."
    roles = [m["role"] for m in params.messages]
    assert roles[0] == "user"
    assert all(a != b for a, b in itertools.pairwise(roles))
    assistant = params.messages[1]["content"]
    assert isinstance(assistant, list)
    assert assistant[0] == {
        "type": "thinking",
        "thinking": "thinking about it",
        "signature": "sig-1",
    }
    assert [b["type"] for b in assistant] == ["thinking", "text", "tool_use"]
    follow_up = params.messages[2]["content"]
    assert isinstance(follow_up, list)
    assert follow_up[0]["type"] == "tool_result"
    assert follow_up[0]["tool_use_id"] == "toolu_01ABC"
    assert "9 C" in repr(follow_up[1:])
    image = params.messages[0]["content"][1]  # type: ignore[index]
    assert image["source"]["type"] == "base64"
    assert "gemini thoughts" not in repr(params.messages)
    assert params.tools[0]["input_schema"] == TOOL.parameters


def test_anthropic_drops_reasoning_signed_for_another_provider_id() -> None:
    params = anthropic_messages.to_params(REQUEST, provider="claude_code")

    assert "thinking" not in repr(params.messages)


def test_anthropic_and_gemini_open_with_a_user_turn() -> None:
    request = ChatRequest(
        "m", (Message("assistant", (Text("Hello!"),)), Message("user", (Text("hi"),)))
    )

    anthropic_params = anthropic_messages.to_params(request)
    gemini_params = gemini_contents.to_params(request)

    assert [m["role"] for m in anthropic_params.messages] == ["user", "assistant", "user"]
    assert [c.role for c in gemini_params.contents] == ["user", "model", "user"]


def test_gemini_contents_shape() -> None:
    params = gemini_contents.to_params(REQUEST)

    assert params.system_instruction == "You are terse."
    roles = [c.role for c in params.contents]
    assert roles[0] == "user"
    assert all(a != b for a, b in itertools.pairwise(roles))
    first_parts = params.contents[0].parts or []
    assert first_parts[1].inline_data is not None
    assert first_parts[1].inline_data.data == PNG
    model_parts = params.contents[1].parts or []
    assert [p.function_call.name for p in model_parts if p.function_call] == ["get_weather"]
    assert not any(p.thought for p in model_parts)
    reply_parts = params.contents[2].parts or []
    assert reply_parts[0].function_response is not None
    assert reply_parts[0].function_response.response == {"output": "18 C"}
    assert params.tools[0].function_declarations is not None


def _chunk(data: dict[str, object]) -> Chunk:
    base = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m"}
    return msgspec.convert({**base, **data}, Chunk)


def test_openai_chunks_become_events() -> None:
    reader = openai_chat.ChunkReader()
    events = []
    for data in (
        {"choices": [{"index": 0, "delta": {"reasoning_content": "hmm"}}]},
        {"choices": [{"index": 0, "delta": {"content": "Hi"}}]},
        {
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "call_1",
                                "function": {"name": "f", "arguments": "{"},
                            }
                        ]
                    },
                }
            ]
        },
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
        {
            "choices": [],
            "usage": {
                "prompt_tokens": 10,
                "completion_tokens": 5,
                "total_tokens": 15,
                "prompt_tokens_details": {"cached_tokens": 4},
            },
        },
    ):
        events.extend(reader.feed(_chunk(data)))

    assert events == [
        ReasoningDelta("hmm"),
        TextDelta("Hi"),
        ToolCallDelta(0, "call_1", "f", "{"),
        Usage(10, 5, 4),
    ]
    assert reader.finish == "tool_calls"


def test_anthropic_events_become_events_with_signature_and_cache_usage() -> None:
    adapter: TypeAdapter[RawMessageStreamEvent] = TypeAdapter(RawMessageStreamEvent)
    raw = [
        {
            "type": "message_start",
            "message": {
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "model": "claude",
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {"input_tokens": 7, "output_tokens": 1, "cache_read_input_tokens": 3},
            },
        },
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "thinking", "thinking": "", "signature": ""},
        },
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "thinking_delta", "thinking": "hm"},
        },
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "signature_delta", "signature": "S"},
        },
        {
            "type": "content_block_start",
            "index": 1,
            "content_block": {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}},
        },
        {
            "type": "content_block_delta",
            "index": 1,
            "delta": {"type": "input_json_delta", "partial_json": "{}"},
        },
        {
            "type": "message_delta",
            "delta": {"stop_reason": "tool_use", "stop_sequence": None},
            "usage": {"output_tokens": 9},
        },
    ]
    reader = anthropic_messages.EventReader()
    events = [e for item in raw for e in reader.feed(adapter.validate_python(item))]

    assert events == [
        ReasoningDelta("hm"),
        ReasoningSignature("S", "anthropic"),
        ToolCallDelta(0, "toolu_1", "f", ""),
        ToolCallDelta(0, None, None, "{}"),
        Usage(10, 9, 3),
    ]
    assert reader.finish == "tool_calls"
