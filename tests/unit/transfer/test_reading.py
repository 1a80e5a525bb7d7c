"""Reading import files: which shapes are trees, what ChatGPT's nodes become, what is refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from workspace.transfer.export import content_disposition, download_name
from workspace.transfer.importers import ImportLimits, read_import
from workspace.transfer.shape import ImportTooLarge, InvalidImport, Node, shape

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "chatgpt_conversations.json"
LIMITS = ImportLimits(max_conversations=5, max_messages=50)


def _ours(messages: list[dict[str, Any]], **extra: Any) -> bytes:
    doc = {"format": "switchboard.conversation", "version": 1, "title": "T", "messages": messages}
    return json.dumps(doc | extra).encode()


def _msg(key: str, parent: str | None, role: str = "user", text: str = "hi") -> dict[str, Any]:
    return {"id": key, "parent_id": parent, "role": role, "parts": [{"type": "text", "text": text}]}


def test_nodes_come_out_parents_first_whatever_the_file_order() -> None:
    nodes = [Node("c", "b", "user", ("3",)), Node("b", "a", "assistant", ("2",))]
    nodes.append(Node("a", None, "user", ("1",)))
    out = shape("T", None, nodes, "c", max_messages=10, where="Conversation 1")
    assert [n.key for n in out.nodes] == ["a", "b", "c"]
    assert out.current == "c"


def test_dropped_nodes_hand_their_children_to_the_nearest_kept_ancestor() -> None:
    nodes = [
        Node("root", None, "system", (), keep=False),
        Node("q", "root", "user", ("?",)),
        Node("tool", "q", "tool", ("4",), keep=False),
        Node("a", "tool", "assistant", ("4.",)),
    ]
    out = shape("T", None, nodes, "tool", max_messages=10, where="Conversation 1")
    assert [(n.key, n.parent) for n in out.nodes] == [("q", None), ("a", "q")]
    assert out.current == "q"  # the current node was dropped: its nearest kept ancestor


@pytest.mark.parametrize(
    ("messages", "words"),
    [
        ([_msg("a", "b"), _msg("b", "a")], "cycle"),
        ([_msg("a", None), _msg("b", "b")], "cycle"),
        ([_msg("a", None), _msg("b", "elsewhere")], "not in this conversation"),
        ([_msg("a", None), _msg("a", None)], "appears twice"),
        ([_msg("a", None, role="tool")], "role"),
    ],
)
def test_broken_trees_are_refused_with_a_reason(messages: list[dict[str, Any]], words: str) -> None:
    with pytest.raises(InvalidImport, match=words):
        read_import(_ours(messages), LIMITS)


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'{"hello": "world"}', b"[]", b'"text"', _ours([], version=2)],
)
def test_files_that_are_not_exports_are_refused(body: bytes) -> None:
    with pytest.raises(InvalidImport):
        read_import(body, LIMITS)


def test_a_wrong_field_type_names_the_field() -> None:
    body = _ours([{"id": "a", "parent_id": None, "role": 5, "parts": []}])
    with pytest.raises(InvalidImport, match=r"messages\[0\]\.role"):
        read_import(body, LIMITS)


def test_limits_on_conversations_and_messages() -> None:
    many = [_msg(str(i), str(i - 1) if i else None) for i in range(51)]
    with pytest.raises(ImportTooLarge, match="51 messages"):
        read_import(_ours(many), LIMITS)
    six = json.dumps([json.loads(_ours([_msg("a", None)]))] * 6).encode()
    with pytest.raises(ImportTooLarge, match="6 conversations"):
        read_import(six, LIMITS)


def test_chatgpt_export_keeps_the_tree_text_roles_and_current_node() -> None:
    first, second = read_import(FIXTURE.read_bytes(), LIMITS)
    assert first.title == "Packing list for Lisbon"
    by_key = {n.key: n for n in first.nodes}
    assert set(by_key) == {"user-0001", "asst-0001", "user-0002", "asst-0003", "asst-0002"}
    assert by_key["user-0001"].parent is None  # the empty root and hidden system node dropped
    assert by_key["asst-0001"].parent == by_key["asst-0002"].parent == "user-0001"
    assert by_key["asst-0002"].model == "openai/gpt-4o-mini"
    assert by_key["asst-0003"].texts == ("Layers, walking shoes, rain jacket.",)
    assert first.current == "asst-0003"
    # A null-content system node and a tool node are dropped; the answer follows the question.
    assert [(n.key, n.parent, n.role) for n in second.nodes] == [
        ("user-2", None, "user"),
        ("asst-2", "user-2", "assistant"),
    ]


def test_a_chatgpt_mapping_cycle_is_refused() -> None:
    item = {
        "title": "loop",
        "mapping": {
            "a": {"message": None, "parent": "b"},
            "b": {"message": None, "parent": "a"},
        },
    }
    with pytest.raises(InvalidImport, match="cycle"):
        read_import(json.dumps([item]).encode(), LIMITS)


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Plan: Q3 / Q4?", "Plan Q3 Q4.md"),
        ("../../etc/passwd", "etc passwd.md"),
        ('a"b\r\nX-Evil: 1', "a b X-Evil 1.md"),
        ("", "conversation.md"),
        ("Ünïcode only ☃", "n code only.md"),
    ],
)
def test_download_names_hold_only_safe_characters(title: str, name: str) -> None:
    assert download_name(title, "md") == name


def test_the_disposition_header_is_one_line_and_quotes_nothing_unsafe() -> None:
    header = content_disposition('x"\r\ny', "json")
    assert header.startswith("attachment; filename=\"x y.json\"; filename*=UTF-8''")
    assert "\r" not in header and "\n" not in header
