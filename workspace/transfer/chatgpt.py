"""ChatGPT's ``conversations.json`` (Settings > Data controls > Export) as :class:`Node` lists.

Each conversation's ``mapping`` holds every node of its tree by id, each naming its ``parent``;
``current_node`` is the leaf the conversation showed. The root is an empty node, and the first
message is often a system message hidden from the conversation with no text: both are dropped
(their children hang on the nearest kept ancestor, see :mod:`workspace.transfer.shape`), as are
tool and browsing nodes. Text comes from ``content.parts`` (strings) or ``content.text``; an
image part becomes the marker ``[image]`` so an image-only question keeps its place.
"""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from workspace.transfer.shape import (
    ImportedConversation,
    InvalidImport,
    Node,
    check_count,
    shape,
)

KEPT_ROLES = frozenset({"system", "user", "assistant"})
IMAGE_MARKER = "[image]"


class _Author(msgspec.Struct):
    role: str


class _Content(msgspec.Struct):
    content_type: str = "text"
    parts: list[object] | None = None
    text: str | None = None


class _Metadata(msgspec.Struct):
    model_slug: str | None = None
    is_visually_hidden_from_conversation: bool = False


class _Message(msgspec.Struct):
    author: _Author
    content: _Content | None = None
    create_time: float | None = None
    metadata: _Metadata | None = None


class _Node(msgspec.Struct):
    message: _Message | None = None
    parent: str | None = None


class _Conversation(msgspec.Struct):
    mapping: dict[str, _Node]
    title: str | None = None
    create_time: float | None = None
    current_node: str | None = None


def is_chatgpt(item: object) -> bool:
    return isinstance(item, dict) and "mapping" in item


def _when(epoch: float | None) -> datetime | None:
    if epoch is None:
        return None
    try:
        return datetime.fromtimestamp(epoch, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _texts(content: _Content | None) -> tuple[str, ...]:
    if content is None:
        return ()
    if content.parts is None:
        return (content.text,) if content.text and content.text.strip() else ()
    out: list[str] = []
    for part in content.parts:
        if isinstance(part, str):
            if part.strip():
                out.append(part)
        elif isinstance(part, dict) and "image" in str(part.get("content_type", "")):
            out.append(IMAGE_MARKER)
    return tuple(out)


def _node(key: str, node: _Node) -> Node:
    message = node.message
    if message is None:
        return Node(key, node.parent, "system", (), keep=False)
    role, texts = message.author.role, _texts(message.content)
    meta = message.metadata or _Metadata()
    keep = role in KEPT_ROLES and bool(texts) and not meta.is_visually_hidden_from_conversation
    answer = role == "assistant"
    return Node(
        key,
        node.parent,
        role,
        texts,
        keep=keep,
        provider="openai" if answer and meta.model_slug else None,
        # Stored as our model references are (``provider/model``), the slug as ChatGPT gave it.
        model=f"openai/{meta.model_slug}" if answer and meta.model_slug else None,
        created_at=_when(message.create_time),
    )


def read_chatgpt(item: object, *, max_messages: int, where: str) -> ImportedConversation:
    """One conversation of the export, checked (see :func:`shape`)."""
    if isinstance(item, dict) and isinstance(item.get("mapping"), dict):
        check_count(len(item["mapping"]), max_messages, where)
    try:
        conversation = msgspec.convert(item, _Conversation)
    except msgspec.ValidationError as exc:
        raise InvalidImport(f"{where} is not a ChatGPT conversation: {exc}.") from None
    nodes = [_node(key, node) for key, node in conversation.mapping.items()]
    return shape(
        (conversation.title or "").strip(),
        _when(conversation.create_time),
        nodes,
        conversation.current_node,
        max_messages=max_messages,
        where=where,
    )
