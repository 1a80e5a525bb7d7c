"""``GET /api/conversations/{id}/export`` and ``POST /api/workspaces/{ws}/imports``.

An export is a download (``Content-Disposition: attachment``, ``nosniff``) of what the caller may
read; an import creates private conversations of the caller from our JSON export or ChatGPT's
``conversations.json``, all or nothing (the request commits once).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, Router, get
from litestar.di import Provide
from litestar.params import Parameter
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.audit.service import Actor
from workspace.chat.access import ConversationAccess, provide_conversation
from workspace.config.settings import Settings
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P
from workspace.transfer.document import Scope
from workspace.transfer.export import build_document, content_disposition, to_markdown
from workspace.transfer.importers import ImportLimits, read_import
from workspace.transfer.store import store_all
from workspace.transfer.upload import import_post

ExportFormat = Literal["markdown", "json"]
MEDIA_TYPES = {"markdown": "text/markdown; charset=utf-8", "json": "application/json"}
EXTENSIONS = {"markdown": "md", "json": "json"}


class ImportedOut(msgspec.Struct):
    id: uuid.UUID
    title: str
    messages: int


class ImportOut(msgspec.Struct):
    conversations: list[ImportedOut]


def limits_of(settings: Settings) -> ImportLimits:
    return ImportLimits(settings.import_max_conversations, settings.import_max_messages)


@get(
    "/conversations/{conversation_id:uuid}/export",
    opt={"access": P.CONVERSATIONS_READ},
    dependencies={"conversation": Provide(provide_conversation)},
    operation_id="export_conversation",
)
async def export_conversation(
    conversation: ConversationAccess,
    db: AsyncSession,
    format: ExportFormat = "markdown",
    # ``scope`` is Litestar's name for the ASGI scope, so the parameter is renamed here.
    export_scope: Annotated[Scope, Parameter(query="scope")] = "branch",
) -> Response[bytes]:
    """The conversation as a file: Markdown or our JSON, the current branch or the whole tree."""
    doc = await build_document(db, conversation.conversation, export_scope)
    body = to_markdown(doc).encode() if format == "markdown" else msgspec.json.encode(doc)
    return Response(
        body,
        media_type=MEDIA_TYPES[format],
        headers={
            "Content-Disposition": content_disposition(doc.title, EXTENSIONS[format]),
            "X-Content-Type-Options": "nosniff",
        },
    )


@import_post(
    "/workspaces/{ws_id:uuid}/imports",
    opt={"access": P.CONVERSATIONS_WRITE},
    operation_id="import_conversations",
    status_code=201,
)
async def import_conversations(
    request: Request[Any, Any, Any],
    member: Member,
    actor: Actor,
    db: AsyncSession,
    settings: Settings,
) -> ImportOut:
    """Create the file's conversations (ours or ChatGPT's), private to the caller."""
    imported = read_import(await request.body(), limits_of(settings))
    stored = await store_all(db, actor, member, imported)
    return ImportOut(
        [ImportedOut(c.id, c.title, len(i.nodes)) for c, i in zip(stored, imported, strict=True)]
    )


transfer_router = Router(
    "/api",
    route_handlers=[export_conversation, import_conversations],
    tags=["export and import"],
)
