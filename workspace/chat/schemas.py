"""Request and response bodies of the chat routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Final, Literal

import msgspec

from workspace.chat.models import Conversation

CONTENT_MAX_CHARS: Final = 200_000

Title = Annotated[str, msgspec.Meta(max_length=200)]
Content = Annotated[str, msgspec.Meta(min_length=1, max_length=CONTENT_MAX_CHARS)]
ModelRef = Annotated[str, msgspec.Meta(min_length=3, max_length=200)]
Visibility = Literal["private", "shared"]
# The count is checked against SWITCHBOARD_ATTACHMENT_MAX_FILES; this only bounds the body.
AttachmentIds = Annotated[list[uuid.UUID], msgspec.Meta(max_length=100)]


class ConversationIn(msgspec.Struct, forbid_unknown_fields=True):
    title: Title = ""
    project_id: uuid.UUID | None = None
    visibility: Visibility = "private"
    # Start with this preset's system prompt and parameters (a copy; one the caller may see).
    preset_id: uuid.UUID | None = None


class ConversationPatch(msgspec.Struct, forbid_unknown_fields=True):
    title: Title | None = None
    visibility: Visibility | None = None
    # Absent = unchanged, null = take it out of its project.
    project_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET


class ConversationOut(msgspec.Struct):
    id: uuid.UUID
    workspace_id: uuid.UUID
    project_id: uuid.UUID | None
    title: str
    visibility: str
    created_by: uuid.UUID
    current_leaf_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


def conversation_out(c: Conversation) -> ConversationOut:
    return ConversationOut(
        c.id,
        c.workspace_id,
        c.project_id,
        c.title,
        c.visibility,
        c.created_by,
        c.current_leaf_id,
        c.created_at,
        c.updated_at,
    )


class UsageOut(msgspec.Struct):
    input_tokens: int | None
    output_tokens: int | None


class MessageOut(msgspec.Struct):
    id: uuid.UUID
    parent_id: uuid.UUID | None
    role: str
    text: str
    parts: list[dict[str, object]]
    model: str | None
    provider: str | None
    key_source: str | None
    status: str
    finish_reason: str | None
    error_code: str | None
    error_message: str | None
    fallback_from: str | None
    usage: UsageOut
    latency_ms: int | None
    first_token_ms: int | None
    credits: int
    cost_usd_micros: int
    author_id: uuid.UUID | None
    compare_id: uuid.UUID | None
    lane: int | None
    created_at: datetime
    # Sampling parameters of the conversation this answer's provider does not take.
    ignored_parameters: list[str] = msgspec.field(default_factory=list)


class ConversationDetail(msgspec.Struct):
    conversation: ConversationOut
    current_path: list[uuid.UUID]
    messages: list[MessageOut]


class MessageIn(msgspec.Struct, forbid_unknown_fields=True):
    content: Content
    model: ModelRef
    # Absent = after the current leaf; null = a new root (editing the first message).
    parent_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    # Uploads (POST /api/workspaces/{ws}/attachments) this message carries, in order.
    attachment_ids: AttachmentIds = msgspec.field(default_factory=list)
    # The user message this one edits (sent with its parent_id): its attachments come along.
    edit_of: uuid.UUID | None = None


class RegenerateIn(msgspec.Struct, forbid_unknown_fields=True):
    model: ModelRef


class CurrentIn(msgspec.Struct, forbid_unknown_fields=True):
    leaf_id: uuid.UUID


class CompareIn(msgspec.Struct, forbid_unknown_fields=True):
    content: Content
    models: Annotated[list[ModelRef], msgspec.Meta(max_length=64)]
    blind: bool = False
    parent_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    attachment_ids: AttachmentIds = msgspec.field(default_factory=list)


class VoteIn(msgspec.Struct, forbid_unknown_fields=True):
    winner: Annotated[int, msgspec.Meta(ge=0)] | Literal["tie", "both_bad"]


class ContinueIn(msgspec.Struct, forbid_unknown_fields=True):
    lane: Annotated[int, msgspec.Meta(ge=0)]


class LaneOut(msgspec.Struct):
    lane: int
    model: str | None
    message_id: uuid.UUID | None
    status: str | None


class CompareOut(msgspec.Struct):
    id: uuid.UUID
    conversation_id: uuid.UUID
    user_message_id: uuid.UUID
    blind: bool
    status: str
    chosen_lane: int | None
    winner: str | None
    lanes: list[LaneOut]
    created_at: datetime


class ContinueOut(msgspec.Struct):
    compare_id: uuid.UUID
    lane: int
    current_leaf_id: uuid.UUID


class StandingOut(msgspec.Struct):
    model: str
    rating: float
    wins: int
    losses: int
    ties: int
    comparisons: int
