"""Tool calls and tool results on a message, as the chat page lists them.

An answer recorded through the ``/v1`` gateway may call tools, and the next request brings their
results (a ``tool`` message); the page shows each call's name and arguments and each result's
content under its message, as plain text (escaped by the template, never rendered as markdown).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from workspace.chat.parts import StoredPart


@dataclass(frozen=True)
class ToolView:
    """One tool call (``kind`` "call": ``body`` is its JSON arguments) or tool result
    (``kind`` "result": ``body`` is what the tool returned)."""

    kind: str
    name: str
    call_id: str
    body: str
    is_error: bool = False

    @property
    def label(self) -> str:
        if self.kind == "call":
            return f"Called {self.name or 'a tool'}"
        return f"{self.name or 'Tool'} {'failed' if self.is_error else 'returned'}"


def tool_views(parts: list[StoredPart]) -> tuple[ToolView, ...]:
    views: list[ToolView] = []
    for part in parts:
        kind = part.get("type")
        if kind == "tool_call":
            body = json.dumps(part.get("arguments") or {}, indent=2, ensure_ascii=False)
            views.append(ToolView("call", str(part.get("name", "")), str(part.get("id", "")), body))
        elif kind == "tool_result":
            views.append(
                ToolView(
                    "result",
                    str(part.get("name", "")),
                    str(part.get("call_id", "")),
                    str(part.get("content", "")),
                    bool(part.get("is_error", False)),
                )
            )
    return tuple(views)
