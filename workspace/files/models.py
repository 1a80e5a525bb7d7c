"""The attachments table: each uploaded file's bytes, its extracted text, and where it was sent.

The bytes live in PostgreSQL (``bytea``), not on a pod's disk, so every replica serves them. An
attachment is *unsent* (only its uploader may use or see it) until a message carries it; then
``conversation_id``/``message_id`` say where, and the conversation's access decides who sees it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from workspace.db.columns import TZ, utcnow

KINDS = ("image", "text")
NAME_MAX = 200


class Attachment(SQLModel, table=True):
    __tablename__ = "attachments"
    __table_args__ = (sa.CheckConstraint("kind IN ('image', 'text')", name="ck_attachments_kind"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE", index=True)
    uploaded_by: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    conversation_id: uuid.UUID | None = Field(
        default=None, foreign_key="conversations.id", ondelete="CASCADE", index=True
    )
    message_id: uuid.UUID | None = Field(
        default=None, foreign_key="chat_messages.id", ondelete="CASCADE"
    )
    name: str = Field(max_length=NAME_MAX)
    media_type: str = Field(max_length=64)
    kind: str = Field(max_length=8)
    size: int
    content: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    # The text the model reads (a text file's or a PDF's), cut at the configured length.
    text: str | None = Field(default=None, sa_type=sa.Text)
    truncated: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=TZ)
