"""Server-Sent Events framing: ``event:`` and ``data:`` lines, a blank line ends a frame."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field


@dataclass
class _Frame:
    event: str = "message"
    data: list[str] = field(default_factory=list)

    def feed(self, line: str) -> tuple[str, str] | None:
        """Take one line; a complete frame (name, data) when the line ends it."""
        if line == "":
            done = (self.event, "\n".join(self.data)) if self.data else None
            self.event, self.data = "message", []
            return done
        if line.startswith(":"):
            return None  # a keep-alive comment
        key, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if key == "event":
            self.event = value
        elif key == "data":
            self.data.append(value)
        return None


def frames(lines: Iterable[str]) -> Iterator[tuple[str, str]]:
    frame = _Frame()
    for line in lines:
        if (done := frame.feed(line.rstrip("\r"))) is not None:
            yield done
    if (done := frame.feed("")) is not None:
        yield done


async def aframes(lines: AsyncIterable[str]) -> AsyncIterator[tuple[str, str]]:
    frame = _Frame()
    async for line in lines:
        if (done := frame.feed(line.rstrip("\r"))) is not None:
            yield done
    if (done := frame.feed("")) is not None:
        yield done
