"""Our export format, ``switchboard.conversation`` version 1, as typed structs.

The same structs write an export and read one back, so the two cannot drift apart. Message ids
are the exported messages' ids; ``parent_id`` links them into the tree (a branch export is a
single path). Parts carry text; an image is described (media type, size), not embedded.
``settings`` holds the conversation's system prompt and parameters, restored by an import.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final, Literal

import msgspec

from workspace.presets.prompting import PromptingBody

FORMAT: Final = "switchboard.conversation"
VERSION: Final = 1
Scope = Literal["branch", "tree"]


class PartDoc(msgspec.Struct, omit_defaults=True):
    """``text`` for a text part; ``media_type`` and ``size_bytes`` for an image; other kinds
    (tool calls, reasoning) are named by ``type`` only. ``attachment`` is the file name of an
    attached file (its extracted text, or an image): described in an export, not imported."""

    type: str
    text: str | None = None
    media_type: str | None = None
    size_bytes: int | None = None
    attachment: str | None = None


class UsageDoc(msgspec.Struct):
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd_micros: int = 0


class MessageDoc(msgspec.Struct, omit_defaults=True):
    id: str
    parent_id: str | None
    role: str
    parts: list[PartDoc]
    created_at: datetime | None = None
    author: str | None = None
    provider: str | None = None
    model: str | None = None
    status: str = "complete"
    usage: UsageDoc | None = None


class ConversationDoc(msgspec.Struct):
    format: str
    version: int
    title: str
    messages: list[MessageDoc]
    created_at: datetime | None = None
    exported_at: datetime | None = None
    scope: Scope = "tree"
    current_leaf_id: str | None = None
    # The system prompt and parameters its answers are asked with (absent: the defaults);
    # checked on import like ``PUT .../settings``.
    settings: PromptingBody | None = None
