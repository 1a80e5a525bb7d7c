"""The events of a chat or compare stream, as typed values.

The server names each Server-Sent Event (``message.start``, ``delta``, ``usage``, ``fallback``,
``context.trimmed``, ``error``, ``message.end``) and sends its fields as JSON. :func:`parse`
turns one into the dataclass below; fields the server adds later are ignored, an event name this
client does not know is skipped, so an older client keeps working against a newer server.
Compare events carry ``lane``.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, Final


@dataclass(frozen=True, slots=True)
class MessageStart:
    """Who answers, and with which key (``key_source``: request, personal, workspace or
    platform)."""

    conversation_id: str
    message_id: str
    parent_id: str
    model: str | None
    provider: str | None
    key_source: str | None
    compare_id: str | None = None
    title: str = ""
    lane: int | None = None
    ignored_parameters: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Delta:
    text: str
    lane: int | None = None


@dataclass(frozen=True, slots=True)
class ContextTrimmed:
    turns_dropped: int
    messages_dropped: int
    lane: int | None = None


@dataclass(frozen=True, slots=True)
class Fallback:
    """The platform key answered instead (``from_source`` failed or there was none)."""

    from_source: str
    key_source: str
    reason: str
    lane: int | None = None


@dataclass(frozen=True, slots=True)
class Usage:
    input_tokens: int
    output_tokens: int
    cached_tokens: int = 0
    lane: int | None = None


@dataclass(frozen=True, slots=True)
class StreamError:
    """The answer failed after the stream began; ``code`` is the server's error code."""

    code: str
    message: str
    lane: int | None = None


@dataclass(frozen=True, slots=True)
class MessageEnd:
    message_id: str
    status: str
    finish_reason: str | None = None
    credits: int = 0
    cost_usd_micros: int = 0
    latency_ms: int | None = None
    first_token_ms: int | None = None
    usage: Usage | None = None
    lane: int | None = None


ChatEvent = MessageStart | Delta | ContextTrimmed | Fallback | Usage | StreamError | MessageEnd

_BY_NAME: Final[dict[str, type[Any]]] = {
    "message.start": MessageStart,
    "delta": Delta,
    "context.trimmed": ContextTrimmed,
    "fallback": Fallback,
    "usage": Usage,
    "error": StreamError,
    "message.end": MessageEnd,
}
EVENT_NAMES: Final = frozenset(_BY_NAME)


def _build(kind: type[Any], data: dict[str, Any]) -> Any:
    names = {f.name for f in dataclasses.fields(kind)}
    values = {k: v for k, v in data.items() if k in names}
    if kind is MessageEnd and isinstance(values.get("usage"), dict):
        values["usage"] = _build(Usage, values["usage"])
    if "ignored_parameters" in values:
        values["ignored_parameters"] = tuple(values["ignored_parameters"])
    return kind(**values)


def parse(name: str, data: str) -> ChatEvent | None:
    """The typed event for one SSE frame, or None for a name this client does not know."""
    kind = _BY_NAME.get(name)
    if kind is None:
        return None
    payload = json.loads(data) if data else {}
    event: ChatEvent = _build(kind, payload)
    return event
