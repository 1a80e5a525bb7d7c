"""Server-sent events framed from a streamed body's lines, for the providers' wire readers
(:mod:`adapters.openai_chat.wire`, :mod:`adapters.anthropic.wire`), which decode each event's
data themselves."""

from __future__ import annotations

from collections.abc import AsyncIterator


async def sse_events(lines: AsyncIterator[str]) -> AsyncIterator[tuple[str | None, str]]:
    """Each event's name (``event:``, None without one) and data (its ``data:`` lines joined by
    newlines), as a blank line ends it; an event without data is no event. Comments and
    ``id:`` / ``retry:`` lines carry nothing the readers need. A body that ends without the
    last blank line still yields its last event."""
    name: str | None = None
    data: list[str] = []
    async for line in lines:
        if line.startswith("data:"):
            data.append(line[6:] if line.startswith("data: ") else line[5:])
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif not line:
            if data:
                yield name, "\n".join(data)
            name, data = None, []
    if data:
        yield name, "\n".join(data)
