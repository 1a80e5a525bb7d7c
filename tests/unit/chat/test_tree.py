"""The message tree: a branch is the path from the root to a leaf; a new message goes after an
answer (or starts the tree), never after a user message still waiting for its answer."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from workspace.chat.models import ChatMessage, Conversation
from workspace.chat.service import (
    CURRENT_LEAF,
    AnswerPending,
    InvalidParent,
    Tree,
    resolve_parent,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def node(role: str, parent: ChatMessage | None, minute: int) -> ChatMessage:
    return ChatMessage(
        id=uuid.uuid4(),
        conversation_id=uuid.uuid4(),
        parent_id=parent.id if parent else None,
        role=role,
        parts=[],
        created_at=T0 + timedelta(minutes=minute),
    )


def tree_of(*messages: ChatMessage) -> Tree:
    return Tree(messages, {m.id: m for m in messages})


# root (user) -> a1 -> u2 -> a2
#             \-> a1b (a later regenerated sibling, no children)
ROOT = node("user", None, 0)
A1 = node("assistant", ROOT, 1)
U2 = node("user", A1, 2)
A2 = node("assistant", U2, 3)
A1B = node("assistant", ROOT, 4)
TREE = tree_of(ROOT, A1, U2, A2, A1B)


@pytest.mark.parametrize(
    ("leaf", "path"),
    [
        (None, []),
        (ROOT, [ROOT]),
        (A2, [ROOT, A1, U2, A2]),
        (A1B, [ROOT, A1B]),
    ],
    ids=["no leaf", "root", "deep leaf", "sibling branch"],
)
def test_path_runs_from_the_root_to_the_leaf(
    leaf: ChatMessage | None, path: list[ChatMessage]
) -> None:
    assert TREE.path(leaf.id if leaf else None) == path


def test_path_of_an_unknown_id_is_empty() -> None:
    assert TREE.path(uuid.uuid4()) == []


@pytest.mark.parametrize(
    ("start", "leaf"),
    [(ROOT, A1B), (A1, A2), (U2, A2), (A2, A2)],
    ids=["newest child wins", "down a branch", "from a user message", "a leaf is its own"],
)
def test_newest_leaf_under_follows_the_newest_child_down(
    start: ChatMessage, leaf: ChatMessage
) -> None:
    assert TREE.newest_leaf_under(start.id) == leaf.id


def _conversation(current_leaf: ChatMessage | None) -> Conversation:
    return Conversation(
        workspace_id=uuid.uuid4(),
        created_by=uuid.uuid4(),
        current_leaf_id=current_leaf.id if current_leaf else None,
    )


def test_a_new_message_may_follow_an_answer() -> None:
    assert resolve_parent(TREE, _conversation(None), A1.id) == A1.id


def test_none_starts_a_new_root() -> None:
    assert resolve_parent(TREE, _conversation(A2), None) is None


def test_current_follows_the_conversations_current_leaf() -> None:
    assert resolve_parent(TREE, _conversation(A2), CURRENT_LEAF) == A2.id


def test_current_of_an_empty_conversation_starts_the_tree() -> None:
    assert resolve_parent(tree_of(), _conversation(None), CURRENT_LEAF) is None


def test_a_user_message_cannot_be_followed_before_its_answer() -> None:
    with pytest.raises(AnswerPending):
        resolve_parent(TREE, _conversation(None), U2.id)


def test_a_parent_from_another_conversation_is_refused() -> None:
    with pytest.raises(InvalidParent):
        resolve_parent(TREE, _conversation(None), uuid.uuid4())
