"""A file to import, read into checked conversations: our JSON export or ChatGPT's.

The file is one of: our document (``{"format": "switchboard.conversation", "version": 1}``), a
list of them, ChatGPT's ``conversations.json`` (a list of conversations with a ``mapping``), or
one ChatGPT conversation. Anything else, a broken tree, or more than the limits allow is refused
with a sentence naming the conversation at fault, before anything is stored. Of our messages'
parts, text is imported; attached files (described in an export, their bytes not in it) and
images are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

import msgspec

from workspace.transfer.chatgpt import is_chatgpt, read_chatgpt
from workspace.transfer.document import FORMAT, VERSION, ConversationDoc
from workspace.transfer.shape import (
    ImportedConversation,
    ImportTooLarge,
    InvalidImport,
    Node,
    check_count,
    shape,
)

NOT_A_KNOWN_FILE = (
    "This is not a Switchboard export or a ChatGPT conversations.json: import a file that "
    "Switchboard's Export or ChatGPT's data export produced."
)


@dataclass(frozen=True, slots=True)
class ImportLimits:
    max_conversations: int
    max_messages: int


def _aware(when: datetime | None) -> datetime | None:
    return when.replace(tzinfo=UTC) if when is not None and when.tzinfo is None else when


def _is_ours(item: object) -> bool:
    return isinstance(item, dict) and item.get("format") == FORMAT


def read_ours(item: object, *, max_messages: int, where: str) -> ImportedConversation:
    """One of our documents, checked (see :func:`shape`)."""
    assert isinstance(item, dict)
    if item.get("version") != VERSION:
        raise InvalidImport(f"{where}: export version {item.get('version')!r} is not one we read.")
    if isinstance(item.get("messages"), list):
        check_count(len(item["messages"]), max_messages, where)
    try:
        doc = msgspec.convert(item, ConversationDoc)
    except msgspec.ValidationError as exc:
        raise InvalidImport(f"{where} is not a valid Switchboard export: {exc}.") from None
    nodes = [
        Node(
            m.id,
            m.parent_id,
            m.role,
            tuple(
                p.text
                for p in m.parts
                if p.type == "text" and p.text is not None and p.attachment is None
            ),
            provider=m.provider,
            model=m.model,
            created_at=_aware(m.created_at),
        )
        for m in doc.messages
    ]
    shaped = shape(
        doc.title.strip(),
        _aware(doc.created_at),
        nodes,
        doc.current_leaf_id,
        max_messages=max_messages,
        where=where,
    )
    return replace(shaped, settings=doc.settings.value() if doc.settings else None)


def _decode(body: bytes) -> object:
    try:
        return msgspec.json.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError):
        raise InvalidImport(f"The file is not JSON. {NOT_A_KNOWN_FILE}") from None
    except RecursionError:
        raise InvalidImport("The file's JSON is nested too deeply to be an export.") from None


def _items(document: object) -> list[object]:
    if isinstance(document, dict) and (_is_ours(document) or is_chatgpt(document)):
        return [document]
    if isinstance(document, list):
        return document
    raise InvalidImport(NOT_A_KNOWN_FILE)


def read_import(body: bytes, limits: ImportLimits) -> list[ImportedConversation]:
    """Every conversation of the file, each a checked tree; refuses the whole file on any fault."""
    items = _items(_decode(body))
    if not items:
        raise InvalidImport("The file holds no conversations.")
    if len(items) > limits.max_conversations:
        raise ImportTooLarge(
            f"The file holds {len(items)} conversations; an import takes at most "
            f"{limits.max_conversations} (SWITCHBOARD_IMPORT_MAX_CONVERSATIONS).",
            extra={"max_conversations": limits.max_conversations},
        )
    out: list[ImportedConversation] = []
    for number, item in enumerate(items, start=1):
        where = f"Conversation {number}"
        if _is_ours(item):
            out.append(read_ours(item, max_messages=limits.max_messages, where=where))
        elif is_chatgpt(item):
            out.append(read_chatgpt(item, max_messages=limits.max_messages, where=where))
        else:
            raise InvalidImport(f"{where}: {NOT_A_KNOWN_FILE}")
    return out
