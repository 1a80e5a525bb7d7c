"""The one shape every importer produces, and the checks that make it safe to store.

An importer turns a file into :class:`Node` lists (one per conversation), each node naming its
parent by the file's own key. :func:`shape` then refuses what cannot be a tree (a parent that is
not in the conversation, a cycle, a repeated key, too many messages) and drops the nodes the
importer marked as not kept (ChatGPT's empty root and hidden system nodes), hanging their
children on the nearest kept ancestor. What comes out lists parents before children, so the
rows can be inserted in that order.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from workspace.errors import InvalidInput
from workspace.presets.prompting import Prompting

IMPORTED_ROLES = frozenset({"system", "user", "assistant"})


class InvalidImport(InvalidInput):
    code = "invalid_import"


class ImportTooLarge(InvalidInput):
    code = "import_too_large"


@dataclass(frozen=True, slots=True)
class Node:
    """One message of a file, as read: ``parent`` is the file's key of its parent."""

    key: str
    parent: str | None
    role: str
    texts: tuple[str, ...]
    keep: bool = True
    provider: str | None = None
    model: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ImportedConversation:
    """A conversation ready to store: ``nodes`` kept only, parents first; ``current`` a key."""

    title: str
    created_at: datetime | None
    nodes: tuple[Node, ...]
    current: str | None
    # The system prompt and parameters to restore (our exports carry them; None = defaults).
    settings: Prompting | None = None


def _children(nodes: Sequence[Node], where: str) -> dict[str | None, list[Node]]:
    keys: set[str] = set()
    children: dict[str | None, list[Node]] = {}
    for node in nodes:
        if node.key in keys:
            raise InvalidImport(f"{where}: the message id {node.key!r} appears twice.")
        keys.add(node.key)
        children.setdefault(node.parent, []).append(node)
    for node in nodes:
        if node.parent is not None and node.parent not in keys:
            raise InvalidImport(
                f"{where}: message {node.key!r} names a parent ({node.parent!r}) that is not "
                "in this conversation."
            )
    return children


def parents_first(nodes: Sequence[Node], where: str) -> list[Node]:
    """``nodes`` with every parent before its children; a cycle is refused.

    Every parent exists (checked first), so a node not reached from a root sits on a cycle.
    """
    children = _children(nodes, where)
    ordered: list[Node] = []
    queue = deque(children.get(None, []))
    while queue:
        node = queue.popleft()
        ordered.append(node)
        queue.extend(children.get(node.key, []))
    if len(ordered) != len(nodes):
        raise InvalidImport(f"{where}: the messages' parents form a cycle.")
    return ordered


def check_count(count: int, max_messages: int, where: str) -> None:
    if count > max_messages:
        raise ImportTooLarge(
            f"{where} has {count} messages; an import takes at most {max_messages} per "
            "conversation (SWITCHBOARD_IMPORT_MAX_MESSAGES).",
            extra={"max_messages": max_messages},
        )


def shape(
    title: str,
    created_at: datetime | None,
    nodes: Sequence[Node],
    current: str | None,
    *,
    max_messages: int,
    where: str,
) -> ImportedConversation:
    """The kept nodes of a checked tree, re-parented past the dropped ones."""
    check_count(len(nodes), max_messages, where)
    ordered = parents_first(nodes, where)
    # The nearest kept ancestor (or None) of every node, itself included when kept.
    kept_at: dict[str, str | None] = {}
    out: list[Node] = []
    for node in ordered:
        above = kept_at[node.parent] if node.parent is not None else None
        if node.keep:
            if node.role not in IMPORTED_ROLES:
                raise InvalidImport(f"{where}: message {node.key!r} has the role {node.role!r}.")
            out.append(_reparented(node, above))
            kept_at[node.key] = node.key
        else:
            kept_at[node.key] = above
    leaf = kept_at.get(current) if current is not None else None
    return ImportedConversation(title, created_at, tuple(out), leaf)


def _reparented(node: Node, parent: str | None) -> Node:
    if node.parent == parent:
        return node
    return Node(
        node.key,
        parent,
        node.role,
        node.texts,
        node.keep,
        node.provider,
        node.model,
        node.created_at,
    )
