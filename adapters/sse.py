"""Server-sent events framed from a streamed body's bytes, for the providers' wire readers
(:mod:`adapters.openai_chat.wire`, :mod:`adapters.anthropic.wire`), which decode each event's
data themselves (msgspec reads the bytes as they are).

The body is read as the SDK's response hands it over (``aiter_bytes``: decompressed, nothing
else) and split into lines here: the SDK's ``aiter_lines`` stacks a text decoder and a line
decoder on top, two more generators (and their contexts) per chunk, held by every open stream.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

Event = tuple[str | None, bytes]
"""An event's name (None without an ``event:`` line) and its data (``data:`` lines joined)."""


class _Framer:
    """The SSE rules for one line at a time: a blank line ends the event."""

    __slots__ = ("data", "name")

    def __init__(self) -> None:
        self.name: str | None = None
        self.data: list[bytes] = []

    def line(self, line: bytes) -> Event | None:
        if line.startswith(b"data:"):
            self.data.append(line[6:] if line.startswith(b"data: ") else line[5:])
        elif line.startswith(b"event:"):
            self.name = line[6:].strip().decode("utf-8", "replace")
        elif not line:
            return self.end()
        return None

    def end(self) -> Event | None:
        event = (self.name, b"\n".join(self.data)) if self.data else None
        self.name, self.data = None, []
        return event


async def sse_events(chunks: AsyncIterator[bytes]) -> AsyncIterator[Event]:
    """Each event of the body, as a blank line ends it; an event without data is no event.
    Lines end with CRLF, LF or CR, wherever the chunks were cut (a CR at a chunk's end waits
    for the next chunk: it may be half of a CRLF). Comments and ``id:`` / ``retry:`` lines
    carry nothing the readers need. A body that ends without the last blank line still
    yields its last event."""
    framer = _Framer()
    pending = b""
    async for chunk in chunks:
        lines = (pending + chunk if pending else chunk).splitlines(keepends=True)
        pending = b""
        if lines and not lines[-1].endswith(b"\n"):
            pending = lines.pop()  # unfinished, or ending in a CR that may be half of a CRLF
        for line in lines:
            if (event := framer.line(line.rstrip(b"\r\n"))) is not None:
                yield event
    if pending and (event := framer.line(pending.rstrip(b"\r\n"))) is not None:
        yield event
    if (event := framer.end()) is not None:
        yield event
