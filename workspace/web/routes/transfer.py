"""The workspace page's "Import conversations" form.

The file is posted as ``multipart/form-data`` (no JavaScript needed) and read by the same
importer as ``POST /api/workspaces/{ws}/imports``; the first imported conversation opens. A file
the importer refuses shows its sentence on the workspace page, and nothing is stored. Exports are
plain links to the API's export route (see ``partials/conversation_menu.html``).
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Response
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.audit.service import Actor
from workspace.config.settings import Settings
from workspace.errors import InvalidInput
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P
from workspace.transfer.importers import read_import
from workspace.transfer.routes import limits_of
from workspace.transfer.store import store_all
from workspace.transfer.upload import import_post
from workspace.web.shell import shell_context

FILE_FIELD = "file"


async def _refused(db: AsyncSession, member: Member, sentence: str) -> Template:
    context = await shell_context(db, member, "home")
    context |= {"notice": None, "import_error": sentence}
    return Template("workspace.html", context=context, status_code=422)


@import_post(
    "/w/{ws_id:uuid}/import", opt={"access": P.CONVERSATIONS_WRITE}, include_in_schema=False
)
async def import_page(
    ws_id: uuid.UUID,
    member: Member,
    actor: Actor,
    form: FormMultiDict,
    db: AsyncSession,
    settings: Settings,
) -> Response[Any]:
    """Import the posted file, then open its first conversation."""
    upload = form.get(FILE_FIELD)
    if not isinstance(upload, UploadFile):
        return await _refused(db, member, "Choose a file to import.")
    try:
        imported = read_import(await upload.read(), limits_of(settings))
    except InvalidInput as refused:
        return await _refused(db, member, refused.detail)
    stored = await store_all(db, actor, member, imported)
    return Redirect(f"/w/{ws_id}/c/{stored[0].id}", status_code=303)


TRANSFER_PAGES = [import_page]
