"""What the client's calls return: typed views of the API's JSON (unknown fields ignored)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


def build(kind: type[T], data: dict[str, Any]) -> T:
    """``kind`` from a JSON object, keeping only the fields it declares."""
    names = {f.name for f in dataclasses.fields(kind)}  # type: ignore[arg-type]
    return kind(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True, slots=True)
class Me:
    id: str
    email: str
    name: str


@dataclass(frozen=True, slots=True)
class Workspace:
    id: str
    name: str
    plan: str
    role: str


@dataclass(frozen=True, slots=True)
class Model:
    """A model of the catalogue; ``key_source`` is which key would pay for it now (None: none
    can, or the policy does not allow it)."""

    id: str
    provider: str
    display_name: str
    allowed: bool
    key_source: str | None
    context_window: int = 0


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    workspace_id: str
    title: str
    visibility: str
    current_leaf_id: str | None = None
    created_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    parent_id: str | None
    role: str
    text: str
    model: str | None
    provider: str | None
    key_source: str | None
    status: str


@dataclass(frozen=True, slots=True)
class ConversationDetail:
    conversation: Conversation
    current_path: list[str]
    messages: list[Message]


@dataclass(frozen=True, slots=True)
class KeyCheck:
    """A key's check with its provider (nothing stored): ``status`` valid, invalid,
    rate_limited..."""

    provider: str
    status: str
    message: str
    fingerprint: str

    @property
    def ok(self) -> bool:
        return self.status == "valid"


@dataclass(frozen=True, slots=True)
class StoredKey:
    """A key kept by the server (your personal keys): metadata, never the secret."""

    id: str
    scope: str
    provider: str
    label: str
    fingerprint: str
    status: str
    last_used_at: str | None = None
    last_validated_at: str | None = None


def detail_of(data: dict[str, Any]) -> ConversationDetail:
    return ConversationDetail(
        build(Conversation, data["conversation"]),
        [str(i) for i in data.get("current_path", [])],
        [build(Message, m) for m in data.get("messages", [])],
    )
