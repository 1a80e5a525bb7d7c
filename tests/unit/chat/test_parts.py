"""Message parts to and from stored JSON: every canonical part survives the round trip, unknown
types are skipped, NUL (which PostgreSQL refuses) is replaced, text is read for replays."""

from __future__ import annotations

import pytest

from adapters import Image, Part, Reasoning, Text, ToolCall, ToolResult
from workspace.chat.parts import REPLACEMENT, dump_parts, load_parts, storable, text_of

PARTS: list[Part] = [
    Text("hello"),
    Image("image/png", b"\x89PNG\x00bytes"),
    ToolCall("c1", "search", {"q": "weather", "n": 3}),
    ToolResult("c1", "search", "sunny", True),
    Reasoning("because", "sig-1", "anthropic"),
    Reasoning("unsigned", None, None),
]


@pytest.mark.parametrize("part", PARTS, ids=lambda p: type(p).__name__)
def test_every_part_survives_the_round_trip(part: Part) -> None:
    assert load_parts(dump_parts([part])) == (part,)


def test_unknown_part_types_are_skipped() -> None:
    assert load_parts([{"type": "hologram"}, {"type": "text", "text": "kept"}]) == (Text("kept"),)


def test_missing_fields_load_as_empty_text() -> None:
    assert load_parts([{"type": "text"}]) == (Text(""),)


def test_nul_is_replaced_everywhere_when_stored() -> None:
    stored = dump_parts([Text("a\x00b"), ToolCall("c", "f", {"k\x00": ["v\x00"]})])
    assert stored[0]["text"] == f"a{REPLACEMENT}b"
    assert stored[1]["arguments"] == {f"k{REPLACEMENT}": [f"v{REPLACEMENT}"]}


@pytest.mark.parametrize(
    ("value", "clean"),
    [("x\x00", f"x{REPLACEMENT}"), (None, None), (3, 3), (["\x00"], [REPLACEMENT])],
    ids=["text", "none", "number", "list"],
)
def test_storable_replaces_nul_and_leaves_other_values(value: object, clean: object) -> None:
    assert storable(value) == clean


def test_text_of_joins_the_text_parts_only() -> None:
    stored = dump_parts([Reasoning("hidden", None, None), Text("one "), Text("two")])
    assert text_of(stored) == "one two"
