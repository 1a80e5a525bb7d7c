"""Tables of presets and of each conversation's prompting settings.

A conversation's settings live in a row of their own (absent = no system prompt, provider
defaults), so reading a conversation never needs them and only sending a message does.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from workspace.db.columns import TZ, utcnow


class Preset(SQLModel, table=True):
    """A named way to prompt: private to its owner until an admin shares it with the workspace."""

    __tablename__ = "presets"
    __table_args__ = (sa.Index("ix_presets_ws_owner", "workspace_id", "owner_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE")
    owner_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    system_prompt: str = Field(default="", sa_type=sa.Text)
    # A model ref (``openai/gpt-4o``); not checked against the catalogue, which changes.
    model: str | None = Field(default=None, max_length=200)
    temperature: float | None = Field(default=None)
    top_p: float | None = Field(default=None)
    max_output_tokens: int | None = Field(default=None)
    shared: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=TZ)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=TZ)


class ConversationSettings(SQLModel, table=True):
    """The system prompt and parameters every answer in a conversation is asked with."""

    __tablename__ = "conversation_settings"

    conversation_id: uuid.UUID = Field(
        foreign_key="conversations.id", ondelete="CASCADE", primary_key=True
    )
    system_prompt: str = Field(default="", sa_type=sa.Text)
    temperature: float | None = Field(default=None)
    top_p: float | None = Field(default=None)
    max_output_tokens: int | None = Field(default=None)
    # The preset it was started from, if any (kept when the preset is deleted: a copy, not a link).
    preset_id: uuid.UUID | None = Field(default=None)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=TZ)
