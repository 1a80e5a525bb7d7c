"""Stream events: one type per event, one encoder, a page that reads exactly these names, and a
replay built from a stored answer with the same types as the live stream."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import msgspec

from workspace.chat.events import (
    EVENT_TYPES,
    Delta,
    Fallback,
    MessageEnd,
    StreamEvent,
    UsageReport,
    error,
    frame,
)
from workspace.chat.models import ChatMessage
from workspace.chat.parts import dump_parts
from workspace.chat.replay import Stored, replay_events

CHAT_JS = Path(__file__).parents[3] / "workspace" / "web" / "static" / "chat.js"
NAMES = {t.name for t in EVENT_TYPES}


def test_the_page_reads_exactly_the_events_the_stream_sends() -> None:
    source = CHAT_JS.read_text()
    declared = re.search(r"const EVENTS = new Set\(\[(.*?)\]\)", source, re.S)
    assert declared is not None, "chat.js declares the events it reads"
    assert set(re.findall(r'"([^"]+)"', declared.group(1))) == NAMES


def test_every_event_the_page_tests_for_is_one_the_stream_sends() -> None:
    compared = set(re.findall(r'event === "([^"]+)"', CHAT_JS.read_text()))
    assert compared and compared <= NAMES


def test_event_names_are_unique() -> None:
    assert len(NAMES) == len(EVENT_TYPES)


def _data(event: StreamEvent) -> dict[str, object]:
    name, data, end = frame(event).split(b"\r\n", 2)
    assert name == b"event: " + event.name.encode() and end == b"\r\n"
    assert data.startswith(b"data: ")
    loaded: dict[str, object] = json.loads(data[6:])
    return loaded


def test_an_event_goes_out_under_its_name_with_its_fields_as_json() -> None:
    assert frame(Delta(text="hi")) == b'event: delta\r\ndata: {"text":"hi"}\r\n\r\n'
    # A line break in the text stays inside the one data line (escaped by JSON).
    assert _data(Delta(text="a\nb\r\n")) == {"text": "a\nb\r\n"}


def test_lane_and_replayed_go_out_only_when_set() -> None:
    data = _data(Delta(text="hi", lane=2, replayed=True))
    assert data == {"text": "hi", "lane": 2, "replayed": True}


def test_lane_zero_is_sent() -> None:
    assert _data(Delta(text="", lane=0))["lane"] == 0


def test_an_error_repeats_its_sentence_as_detail() -> None:
    data = _data(error("overloaded", "Try later."))
    assert data == {"code": "overloaded", "message": "Try later.", "detail": "Try later."}


def test_message_end_sends_null_figures_rather_than_leaving_them_out() -> None:
    end = MessageEnd(
        message_id="m",
        status="error",
        finish_reason=None,
        usage=None,
        credits=0,
        cost_usd_micros=0,
        latency_ms=None,
        first_token_ms=None,
    )
    assert _data(end) == {
        "message_id": "m",
        "status": "error",
        "finish_reason": None,
        "usage": None,
        "credits": 0,
        "cost_usd_micros": 0,
        "latency_ms": None,
        "first_token_ms": None,
    }


def answer(**fields: Any) -> ChatMessage:
    defaults: dict[str, Any] = {
        "id": uuid.uuid4(),
        "conversation_id": uuid.uuid4(),
        "parent_id": uuid.uuid4(),
        "role": "assistant",
        "parts": dump_parts([]),
        "provider": "openai",
        "model": "openai/gpt-4o",
        "key_source": "workspace",
        "status": "complete",
        "finish_reason": "stop",
    }
    return ChatMessage(**(defaults | fields))


def names(message: ChatMessage, text: str = "", blind: bool = False) -> list[str]:
    return [e.name for e in replay_events(Stored(message, text, blind), "Title")]


def test_a_replayed_answer_is_start_delta_usage_end() -> None:
    m = answer(input_tokens=5, output_tokens=7)
    assert names(m, "hello") == ["message.start", "delta", "usage", "message.end"]


def test_every_replayed_event_is_marked_and_keeps_the_lane() -> None:
    events = replay_events(Stored(answer(lane=1), "x"), "")
    assert all(e.replayed and e.lane == 1 for e in events)


def test_a_replayed_end_carries_the_stored_figures() -> None:
    m = answer(input_tokens=5, output_tokens=7, credits_charged=3, cost_usd_micros=2500)
    end = replay_events(Stored(m, "x"), "")[-1]
    assert isinstance(end, MessageEnd)
    assert (end.usage, end.credits, end.cost_usd_micros) == (
        UsageReport(input_tokens=5, output_tokens=7, cached_tokens=0),
        3,
        2500,
    )


def test_a_replayed_answer_without_usage_has_no_usage_event() -> None:
    assert names(answer(), "x") == ["message.start", "delta", "message.end"]


def test_a_replayed_failure_repeats_the_stored_sentence() -> None:
    m = answer(status="error", error_code="overloaded", error_message="Busy.", finish_reason=None)
    events = replay_events(Stored(m, ""), "")
    assert [e.name for e in events] == ["message.start", "error", "message.end"]
    assert events[1] == error("overloaded", "Busy.", replayed=True)


def test_a_replayed_fallback_starts_on_the_own_key_that_failed() -> None:
    m = answer(key_source="platform", fallback_from="workspace", fallback_reason="rate_limited")
    start, fallback = replay_events(Stored(m, "x"), "")[:2]
    assert msgspec.structs.asdict(start)["key_source"] == "workspace"
    assert fallback == Fallback(
        from_source="workspace", key_source="platform", reason="rate_limited", replayed=True
    )


def test_a_replayed_answer_without_own_key_starts_on_the_platform_key() -> None:
    m = answer(key_source="platform", fallback_from="none", fallback_reason="no_own_key")
    start = replay_events(Stored(m, "x"), "")[0]
    assert msgspec.structs.asdict(start)["key_source"] == "platform"


def test_a_replayed_blind_lane_hides_the_model() -> None:
    start = msgspec.structs.asdict(replay_events(Stored(answer(lane=0), "x", blind=True), "")[0])
    assert (start["model"], start["provider"]) == (None, None)
