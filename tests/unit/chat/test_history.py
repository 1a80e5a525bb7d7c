"""The history a model sees: the branch's messages in canonical form, failed answers without text
left out, and same-role neighbours merged (a user message whose answer failed, then the next)."""

from __future__ import annotations

import uuid

from adapters import Message, Reasoning, Text
from workspace.chat.models import ChatMessage
from workspace.chat.parts import dump_parts
from workspace.chat.service import history


def stored(role: str, *parts: Text | Reasoning, status: str = "complete") -> ChatMessage:
    return ChatMessage(
        id=uuid.uuid4(),
        conversation_id=uuid.uuid4(),
        role=role,
        parts=dump_parts(parts),
        status=status,
    )


def test_a_branch_becomes_its_messages_in_order() -> None:
    path = [
        stored("user", Text("hi")),
        stored("assistant", Text("hello")),
        stored("user", Text("?")),
    ]
    assert history(path) == (
        Message("user", (Text("hi"),)),
        Message("assistant", (Text("hello"),)),
        Message("user", (Text("?"),)),
    )


def test_an_answer_without_text_is_left_out_and_the_user_messages_around_it_merge() -> None:
    path = [
        stored("user", Text("first")),
        stored("assistant", status="error"),
        stored("user", Text("second")),
    ]
    assert history(path) == (Message("user", (Text("first"), Text("second"))),)


def test_an_answer_with_only_reasoning_counts_as_without_text() -> None:
    path = [stored("user", Text("q")), stored("assistant", Reasoning("thinking", None, None))]
    assert history(path) == (Message("user", (Text("q"),)),)


def test_a_cut_answer_keeps_its_text() -> None:
    path = [stored("user", Text("q")), stored("assistant", Text("part"), status="incomplete")]
    assert history(path)[-1] == Message("assistant", (Text("part"),))


def test_reasoning_travels_with_the_answer_it_belongs_to() -> None:
    thought = Reasoning("because", "sig", "anthropic")
    path = [stored("user", Text("q")), stored("assistant", thought, Text("a"))]
    assert history(path)[-1] == Message("assistant", (thought, Text("a")))


def test_unknown_roles_are_skipped() -> None:
    path = [stored("narrator", Text("meanwhile")), stored("user", Text("q"))]
    assert history(path) == (Message("user", (Text("q"),)),)


def test_an_empty_branch_has_no_history() -> None:
    assert history([]) == ()
