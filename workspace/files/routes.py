"""``POST /api/workspaces/{ws}/attachments``: upload one file (multipart, field ``file``).

The route's body limit is the attachment limit (plus room for the multipart envelope), so a
larger upload is refused with 413 as soon as its ``Content-Length`` (or, without one, the bytes
read so far) passes it, before the rest is read. The router is built from the settings for that
reason. Downloads are served by the chat package, under the conversation's access.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Final

import msgspec
from litestar import Router, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.config.settings import Settings
from workspace.errors import AppError
from workspace.files import service
from workspace.files.models import Attachment
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P

MULTIPART_ENVELOPE_BYTES: Final = 64 * 1024


class AttachmentTooLarge(AppError):
    code = "request_too_large"


class AttachmentOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    media_type: str
    size: int
    kind: str
    truncated: bool


def attachment_out(a: Attachment) -> AttachmentOut:
    return AttachmentOut(a.id, a.name, a.media_type, a.size, a.kind, a.truncated)


async def upload_attachment(
    data: Annotated[UploadFile, Body(media_type=RequestEncodingType.MULTI_PART)],
    member: Member,
    db: AsyncSession,
    settings: Settings,
) -> AttachmentOut:
    """Store one file to send with a message: an image (PNG, JPEG, WebP, GIF), a PDF or UTF-8
    text. Its type is read from its bytes; its name is cleaned; a PDF's text is extracted now."""
    content = await data.read(settings.attachment_max_bytes + 1)
    if len(content) > settings.attachment_max_bytes:
        raise AttachmentTooLarge(
            f"An attachment is at most {settings.attachment_max_bytes} bytes.",
            extra={"max_bytes": settings.attachment_max_bytes},
        )
    upload = service.Upload(member.workspace_id, member.principal.user_id, data.filename, content)
    return attachment_out(await service.store(db, settings, upload))


def attachments_router(settings: Settings) -> Router:
    """The upload route, its body limit taken from ``settings``."""
    handler = post(
        "/",
        opt={"access": P.CONVERSATIONS_WRITE},
        operation_id="upload_attachment",
        status_code=201,
        request_max_body_size=settings.attachment_max_bytes + MULTIPART_ENVELOPE_BYTES,
    )(upload_attachment)
    return Router(
        "/api/workspaces/{ws_id:uuid}/attachments", route_handlers=[handler], tags=["files"]
    )
