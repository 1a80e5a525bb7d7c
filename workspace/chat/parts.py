"""Canonical message parts to and from the JSON stored in ``chat_messages.parts``.

Images are stored base64-encoded; every other part keeps its fields by name. Unknown part types
are skipped on load rather than failing a whole conversation.

An attached file's part names its ``attachment_id`` (and ``name``): an attached image is stored
without its bytes, which stay in the attachments table and are looked up (``images``) when a
history is sent again; an attached file's text is stored as a text part, prefixed with the file
name, sent to the model but not shown as the message's own text.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence

from adapters import Image, Message, Part, Reasoning, Role, Text, ToolCall, ToolResult

StoredPart = dict[str, object]
Images = Mapping[str, bytes]
"""Attached images' bytes by attachment id (as text)."""
NUL = "\x00"
REPLACEMENT = "\ufffd"


def storable(value: object) -> object:
    """``value`` with every NUL replaced: PostgreSQL text and JSONB refuse NUL, and a provider
    (or a hostile proxy) can put one in an answer; the answer must still be saved."""
    if isinstance(value, str):
        return value.replace(NUL, REPLACEMENT)
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [storable(v) for v in value]
    return value


def dump_part(part: Part) -> StoredPart:
    """One canonical part as a JSON object with a ``type`` (NUL-free, see :func:`storable`)."""
    stored = _dump(part)
    return {k: storable(v) for k, v in stored.items()}


def _dump(part: Part) -> StoredPart:
    if isinstance(part, Text):
        return {"type": "text", "text": part.text}
    if isinstance(part, Image):
        data = base64.b64encode(part.data).decode("ascii")
        return {"type": "image", "media_type": part.media_type, "data": data}
    if isinstance(part, ToolCall):
        return {"type": "tool_call", "id": part.id, "name": part.name, "arguments": part.arguments}
    if isinstance(part, ToolResult):
        return {
            "type": "tool_result",
            "call_id": part.call_id,
            "name": part.name,
            "content": part.content,
            "is_error": part.is_error,
        }
    return {
        "type": "reasoning",
        "text": part.text,
        "signature": part.signature,
        "provider": part.provider,
    }


def dump_parts(parts: Iterable[Part]) -> list[StoredPart]:
    return [dump_part(p) for p in parts]


def _str(stored: StoredPart, name: str) -> str:
    value = stored.get(name)
    return value if isinstance(value, str) else ""


def load_part(stored: StoredPart, images: Images | None = None) -> Part | None:
    """The canonical part, or None for a type this version does not know (or an attached
    image whose bytes ``images`` lacks)."""
    kind = stored.get("type")
    if kind == "text":
        return Text(_str(stored, "text"))
    if kind == "image":
        return _image(stored, images or {})
    if kind == "tool_call":
        arguments = stored.get("arguments")
        args = {str(k): v for k, v in arguments.items()} if isinstance(arguments, dict) else {}
        return ToolCall(_str(stored, "id"), _str(stored, "name"), args)
    if kind == "tool_result":
        return ToolResult(
            _str(stored, "call_id"),
            _str(stored, "name"),
            _str(stored, "content"),
            bool(stored.get("is_error", False)),
        )
    if kind == "reasoning":
        signature, provider = stored.get("signature"), stored.get("provider")
        return Reasoning(
            _str(stored, "text"),
            signature if isinstance(signature, str) else None,
            provider if isinstance(provider, str) else None,
        )
    return None


def _image(stored: StoredPart, images: Images) -> Image | None:
    if "data" in stored:
        return Image(_str(stored, "media_type"), base64.b64decode(_str(stored, "data")))
    data = images.get(_str(stored, "attachment_id"))
    return Image(_str(stored, "media_type"), data) if data is not None else None


def load_parts(stored: Sequence[StoredPart], images: Images | None = None) -> tuple[Part, ...]:
    return tuple(p for p in (load_part(s, images) for s in stored) if p is not None)


def text_of(stored: Sequence[StoredPart]) -> str:
    """The message's own text (attached files' text left out), for listings and replays."""
    return "".join(
        _str(s, "text") for s in stored if s.get("type") == "text" and "attachment_id" not in s
    )


def attachments_of(stored: Sequence[StoredPart]) -> list[StoredPart]:
    """The parts that stand for attached files, in order (what the thread shows)."""
    return [s for s in stored if "attachment_id" in s]


def attached_image_ids(stored: Sequence[StoredPart]) -> list[str]:
    return [
        _str(s, "attachment_id") for s in stored if s.get("type") == "image" and "data" not in s
    ]


def message(role: Role, stored: Sequence[StoredPart]) -> Message:
    return Message(role, load_parts(stored))
