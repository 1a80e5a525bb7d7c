"""``GET /api/attachments/{id}``: an attachment's bytes, to whoever may see it.

Who may: once sent, whoever may read the conversation it was sent in (checked in the query,
:mod:`.access`); before, only its uploader. Anyone else, another workspace included, gets 404.

How it is served: always ``Content-Disposition: attachment`` with ``nosniff``, under the type
sniffed at upload (text as ``text/plain``), so no upload is ever rendered as a page. Only an
image proven by its bytes may be asked for ``?inline=1``, which the thread's ``<img>`` uses.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

from litestar import Request, Response, Router, get
from litestar.di import Provide
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts.principal import Principal
from workspace.chat.access import conversation_access, refused_at_once, route_permission
from workspace.errors import NotFound
from workspace.files import service as files
from workspace.files.models import Attachment
from workspace.teams.guards import membership
from workspace.teams.roles import Permission as P


async def attachment_access(
    db: AsyncSession, principal: Principal, attachment_id: uuid.UUID, permission: P
) -> Attachment:
    attachment = await files.get(db, attachment_id)
    if attachment.conversation_id is not None:
        await conversation_access(db, principal, attachment.conversation_id, permission)
        return attachment
    member = await membership(db, principal, attachment.workspace_id)
    if member is None or attachment.uploaded_by != principal.user_id:
        raise NotFound("No such attachment.")
    member.require(permission)
    return attachment


async def provide_attachment(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    principal: Principal,
    attachment_id: uuid.UUID,
) -> Attachment:
    return await refused_at_once(
        db, attachment_access(db, principal, attachment_id, route_permission(request))
    )


def disposition(kind: str, name: str) -> str:
    """RFC 6266 with an ASCII fallback: the stored name is already free of quotes' neighbours
    (control characters, separators), but may hold any other character."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name
    )
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@get(
    "/{attachment_id:uuid}",
    opt={"access": P.CONVERSATIONS_READ},
    operation_id="download_attachment",
)
async def download_attachment(attachment: Attachment, inline: bool = False) -> Response[bytes]:
    """The attached file. ``inline=1`` shows an image in place; anything else downloads."""
    show = inline and attachment.kind == "image"
    # Litestar adds "; charset=utf-8" to a text/* type: text is served as what it was proven.
    return Response(
        attachment.content,
        media_type=attachment.media_type,
        headers={
            "Content-Disposition": disposition("inline" if show else "attachment", attachment.name),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=3600",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


downloads_router = Router(
    "/api/attachments",
    route_handlers=[download_attachment],
    dependencies={"attachment": Provide(provide_attachment)},
    tags=["files"],
)
