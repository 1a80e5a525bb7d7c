"""Storing an upload, and claiming a member's unsent uploads for the message they send.

Domain functions flush; the request commits. An upload is checked in full before anything is
stored: its type from the bytes, its text extracted (off the event loop: a PDF is CPU work).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

import anyio.to_thread
import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.config.settings import Settings
from workspace.db.columns import utcnow
from workspace.errors import InvalidInput, NotFound
from workspace.files import extraction, names, sniffing
from workspace.files.models import Attachment


class TooManyAttachments(InvalidInput):
    code = "too_many_attachments"


@dataclass(frozen=True, slots=True)
class Upload:
    """Who uploads what, where: the raw name is whatever the client sent."""

    workspace_id: uuid.UUID
    uploaded_by: uuid.UUID
    raw_name: str | None
    data: bytes


def _extract(sniffed: sniffing.Sniffed, data: bytes, settings: Settings) -> extraction.Extracted:
    max_chars = settings.attachment_max_text_chars
    if sniffed.kind == "pdf":
        return extraction.pdf(
            data, max_pages=settings.attachment_max_pdf_pages, max_chars=max_chars
        )
    return extraction.text_file(data, max_chars)


async def store(db: AsyncSession, settings: Settings, upload: Upload) -> Attachment:
    """Check, extract and store one upload, unsent (only its uploader may use it)."""
    name = names.neutralise(upload.raw_name)
    sniffed = sniffing.sniff(upload.data, names.extension(name))
    extracted = None
    if sniffed.kind != "image":
        extracted = await anyio.to_thread.run_sync(_extract, sniffed, upload.data, settings)
    attachment = Attachment(
        workspace_id=upload.workspace_id,
        uploaded_by=upload.uploaded_by,
        name=name,
        media_type=sniffed.media_type,
        kind="image" if sniffed.kind == "image" else "text",
        size=len(upload.data),
        content=upload.data,
        text=extracted.text if extracted else None,
        truncated=extracted.truncated if extracted else False,
    )
    db.add(attachment)
    await db.flush()
    return attachment


async def claim(
    db: AsyncSession,
    settings: Settings,
    ids: Sequence[uuid.UUID],
    *,
    workspace_id: uuid.UUID,
    uploader: uuid.UUID,
) -> list[Attachment]:
    """The caller's unsent uploads in this workspace, in the order named; any other id is a 404.

    The rows are locked until the request commits, so two messages cannot both carry one upload.
    """
    unique = list(dict.fromkeys(ids))
    limit = settings.attachment_max_files
    if len(unique) > limit:
        raise TooManyAttachments(
            f"A message can carry at most {limit} attachments; this one has {len(unique)}.",
            extra={"max_files": limit},
        )
    if not unique:
        return []
    stmt = (
        select(Attachment)
        .where(
            col(Attachment.id).in_(unique),
            Attachment.workspace_id == workspace_id,
            Attachment.uploaded_by == uploader,
            col(Attachment.message_id).is_(None),
        )
        .with_for_update()
    )
    found = {a.id: a for a in (await db.exec(stmt)).all()}
    missing = [str(i) for i in unique if i not in found]
    if missing:
        raise NotFound(
            "No such attachment to send (it belongs to someone else, or was sent already).",
            extra={"attachment_ids": missing},
        )
    return [found[i] for i in unique]


async def link(
    db: AsyncSession,
    attachments: Iterable[Attachment],
    conversation_id: uuid.UUID,
    message_id: uuid.UUID,
) -> None:
    """Mark the attachments as sent with ``message_id``: from now on the conversation's access
    decides who sees them."""
    for attachment in attachments:
        attachment.conversation_id = conversation_id
        attachment.message_id = message_id
        db.add(attachment)
    await db.flush()


async def image_bytes(
    db: AsyncSession, conversation_id: uuid.UUID, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, bytes]:
    """The bytes of the conversation's images among ``ids`` (to send a history again)."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    stmt = select(Attachment.id, Attachment.content).where(
        col(Attachment.id).in_(wanted), Attachment.conversation_id == conversation_id
    )
    return {row[0]: row[1] for row in (await db.exec(stmt)).all()}


async def get(db: AsyncSession, attachment_id: uuid.UUID) -> Attachment:
    """One attachment by id, whoever may see it: the caller checks access (see chat.downloads)."""
    attachment = await db.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound("No such attachment.")
    return attachment


async def sweep_unattached(db: AsyncSession, max_age: timedelta) -> int:
    """Delete uploads never sent with a message within ``max_age``; how many went.

    An upload being sent right now is locked by :func:`claim`; the delete waits for that lock
    and then sees its ``message_id``, so a claimed upload is never swept.
    """
    result = await db.execute(
        sa.delete(Attachment).where(
            col(Attachment.message_id).is_(None),
            col(Attachment.created_at) < utcnow() - max_age,
        )
    )
    await db.flush()
    return int(getattr(result, "rowcount", 0) or 0)
