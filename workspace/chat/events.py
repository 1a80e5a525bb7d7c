"""The events a chat stream sends, as types: the live stream and the replay build these, the page's
reader (``static/chat.js``) handles exactly these names, and :func:`encode` is the one way onto
the wire.

Each event is a Server-Sent Event named by its ``name``; its ``data`` is the struct as JSON.
Compare lanes carry ``lane``, an idempotent retry's replay carries ``replayed: true``; both are
left out when unset, so a single message's live events have neither.

In the order a lane sends them: ``message.start``, then ``fallback`` and ``context.trimmed`` when
they apply, ``delta`` as the text comes, ``usage`` when the provider reports it, ``error`` when
the answer fails, and ``message.end`` last.
"""

from __future__ import annotations

from typing import ClassVar, Final

import msgspec

from adapters import Usage

NO_OWN_KEY: Final = "none"
"""``from_source`` of a platform-paid call that had no own key (its ``reason`` is
:data:`NO_OWN_KEY_REASON`)."""
NO_OWN_KEY_REASON: Final = "no_own_key"


class StreamEvent(msgspec.Struct, kw_only=True, omit_defaults=True):
    """What every event carries; ``name`` is the SSE event name."""

    name: ClassVar[str]
    lane: int | None = None
    replayed: bool = False


class MessageStart(StreamEvent):
    """Who answers: ``model``/``provider`` are null in blind compares; ``key_source`` is the key
    the call starts on; ``title`` is the conversation's, which the first message sets;
    ``ignored_parameters`` names the conversation's sampling parameters this provider does not
    take (absent when none; withheld in blind compares, where it would name the provider)."""

    name: ClassVar[str] = "message.start"
    conversation_id: str
    message_id: str
    parent_id: str
    model: str | None
    provider: str | None
    key_source: str | None
    compare_id: str | None
    title: str
    ignored_parameters: tuple[str, ...] = ()


class ContextTrimmed(StreamEvent):
    """Older turns were left out to fit the model's window (see :mod:`workspace.chat.context`)."""

    name: ClassVar[str] = "context.trimmed"
    turns_dropped: int
    messages_dropped: int


class Fallback(StreamEvent):
    """The platform key serves, charged in credits, because an own key failed (``from_source``
    names it) or because there is none (``from_source: "none"``, ``reason: "no_own_key"``)."""

    name: ClassVar[str] = "fallback"
    from_source: str
    key_source: str
    reason: str


class Delta(StreamEvent):
    name: ClassVar[str] = "delta"
    text: str


class UsageReport(StreamEvent):
    """The ``usage`` event, and the ``usage`` field of ``message.end`` (without lane there)."""

    name: ClassVar[str] = "usage"
    input_tokens: int
    output_tokens: int
    cached_tokens: int


class Error(StreamEvent):
    """``detail`` repeats ``message`` for clients that read problem documents' field name."""

    name: ClassVar[str] = "error"
    code: str
    message: str
    detail: str


class MessageEnd(StreamEvent):
    name: ClassVar[str] = "message.end"
    message_id: str
    status: str
    finish_reason: str | None
    usage: UsageReport | None
    credits: int
    cost_usd_micros: int
    latency_ms: int | None
    first_token_ms: int | None


EVENT_TYPES: Final = (
    MessageStart,
    ContextTrimmed,
    Fallback,
    Delta,
    UsageReport,
    Error,
    MessageEnd,
)


def error(code: str, message: str, lane: int | None = None, replayed: bool = False) -> Error:
    return Error(code=code, message=message, detail=message, lane=lane, replayed=replayed)


def usage_report(usage: Usage, lane: int | None = None) -> UsageReport:
    return UsageReport(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cached_tokens=usage.cached_tokens,
        lane=lane,
    )


_encoder: Final = msgspec.json.Encoder()


def frame(event: StreamEvent) -> bytes:
    """The event on the wire, as a Server-Sent Events frame: its name, and its fields as JSON on
    one ``data`` line (JSON text never holds a raw line break)."""
    return b"event: " + event.name.encode() + b"\r\ndata: " + _encoder.encode(event) + b"\r\n\r\n"
