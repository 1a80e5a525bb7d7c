"""Organising conversations from the pages: rename, share, move, pin, archive, delete, and
the project and Archived pages.

Every write is a plain form post (hidden ``csrf_token``) answered with a 303 back to ``next``
(same-site paths only) or to the conversation, so the menus work without JavaScript;
``static/organise.js`` renames in place through the JSON API instead. Who may do what is
:mod:`workspace.web.organise`'s rule, enforced again here and in the chat service.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import Parameter
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.audit.service import Actor
from workspace.chat import organise
from workspace.chat import service as chat
from workspace.chat.access import ConversationAccess, conversation_access
from workspace.chat.models import VISIBILITIES
from workspace.errors import Forbidden, InvalidInput, NotFound
from workspace.projects import service as projects
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P
from workspace.web.organise import load_actions, project_choices, rights_of
from workspace.web.pages import field, safe_next
from workspace.web.shell import shell_context
from workspace.web.sidebar import Page, conversation_link, conversation_page

WS = "/w/{ws_id:uuid}"
CONVERSATION = WS + "/c/{conversation_id:uuid}"
PROJECT = WS + "/p/{project_id:uuid}"
TITLE_MAX = 200
ARCHIVED_PAGE = 50
Offset = Annotated[int, Parameter(ge=0, le=1_000_000)]


class OnlyCreatorShares(Forbidden):
    code = "only_creator_shares"


async def _access(
    db: AsyncSession, member: Member, conversation_id: uuid.UUID, permission: P
) -> ConversationAccess:
    """The conversation as the caller may see it, and only in the workspace of the URL.

    Writes lock the row so two menus acting at once apply one after the other.
    """
    writing = permission != P.CONVERSATIONS_READ
    access = await conversation_access(
        db, member.principal, conversation_id, permission, for_update=writing
    )
    if access.conversation.workspace_id != member.workspace_id:
        raise NotFound("No such conversation.")
    return access


def _conversation_url(ws_id: uuid.UUID, conversation_id: uuid.UUID) -> str:
    return f"/w/{ws_id}/c/{conversation_id}"


def _back(form: FormMultiDict, ws_id: uuid.UUID, conversation_id: uuid.UUID) -> Redirect:
    """Back to the page the menu was used on (organise.js sends it), else the conversation."""
    default = _conversation_url(ws_id, conversation_id)
    return Redirect(safe_next(field(form, "next", 2000), default), status_code=303)


async def _change(
    db: AsyncSession,
    actor: Actor,
    member: Member,
    conversation_id: uuid.UUID,
    form: FormMultiDict,
    changes: chat.ConversationChanges,
) -> Redirect:
    """Apply one change to a conversation the caller may write, then go back."""
    access = await _access(db, member, conversation_id, P.CONVERSATIONS_WRITE)
    if (
        changes.visibility is not None
        and not rights_of(member, access.conversation.created_by).share
    ):
        raise OnlyCreatorShares("Only the conversation's creator can share it or make it private.")
    await chat.update_conversation(db, actor, access, changes)
    return _back(form, member.workspace_id, conversation_id)


@post(CONVERSATION + "/rename", opt={"access": P.CONVERSATIONS_WRITE}, include_in_schema=False)
async def rename_conversation(
    conversation_id: uuid.UUID, member: Member, actor: Actor, form: FormMultiDict, db: AsyncSession
) -> Response[Any]:
    """Give the conversation a new title (anyone who may write and can see it)."""
    title = " ".join(field(form, "title", TITLE_MAX).split())
    if not title:
        raise InvalidInput("Give the conversation a title.")
    changes = chat.ConversationChanges(title=title)
    return await _change(db, actor, member, conversation_id, form, changes)


@post(CONVERSATION + "/visibility", opt={"access": P.CONVERSATIONS_WRITE}, include_in_schema=False)
async def change_visibility(
    conversation_id: uuid.UUID, member: Member, actor: Actor, form: FormMultiDict, db: AsyncSession
) -> Response[Any]:
    """Share with the workspace or make private again: the creator's decision alone."""
    visibility = field(form, "visibility", 16)
    if visibility not in VISIBILITIES:
        raise InvalidInput("Choose shared or private.")
    changes = chat.ConversationChanges(visibility=visibility)
    return await _change(db, actor, member, conversation_id, form, changes)


@post(CONVERSATION + "/project", opt={"access": P.CONVERSATIONS_WRITE}, include_in_schema=False)
async def move_conversation(
    conversation_id: uuid.UUID, member: Member, actor: Actor, form: FormMultiDict, db: AsyncSession
) -> Response[Any]:
    """Move into a project of this workspace, or out of any (empty ``project_id``)."""
    raw = field(form, "project_id", 64)
    try:
        project_id = uuid.UUID(raw) if raw else None
    except ValueError:
        raise InvalidInput("Choose a project from the list.") from None
    changes = chat.ConversationChanges(project_id=project_id, clear_project=project_id is None)
    return await _change(db, actor, member, conversation_id, form, changes)


@post(CONVERSATION + "/delete", opt={"access": P.CONVERSATIONS_WRITE}, include_in_schema=False)
async def delete_conversation(
    ws_id: uuid.UUID,
    conversation_id: uuid.UUID,
    member: Member,
    actor: Actor,
    form: FormMultiDict,
    db: AsyncSession,
) -> Response[Any]:
    """Without ``confirm=yes`` this only asks; with it, deletes (creator or admins).

    Afterwards the caller returns to ``next`` unless that was the deleted conversation itself,
    in which case a new chat opens.
    """
    access = await _access(db, member, conversation_id, P.CONVERSATIONS_WRITE)
    if field(form, "confirm", 8) != "yes":
        chat.require_owner_or_admin(access)
        context = await shell_context(db, member, str(conversation_id))
        item = conversation_link(member, access.conversation)
        return Template("conversation_delete.html", context=context | {"item": item})
    await chat.delete_conversation(db, actor, access)
    gone = _conversation_url(ws_id, conversation_id)
    target = safe_next(field(form, "next", 2000), "")
    if not target or target == gone or target.startswith((gone + "?", gone + "/")):
        target = f"/w/{ws_id}/c/new"
    return Redirect(target, status_code=303)


@post(CONVERSATION + "/pin", opt={"access": P.CONVERSATIONS_WRITE}, include_in_schema=False)
async def pin_conversation(
    conversation_id: uuid.UUID, member: Member, form: FormMultiDict, db: AsyncSession
) -> Response[Any]:
    """Pin to the top of your own sidebar (``pinned=yes``) or take the pin off (``no``)."""
    access = await _access(db, member, conversation_id, P.CONVERSATIONS_WRITE)
    if field(form, "pinned", 8) == "no":
        await organise.unpin(db, access)
    else:
        await organise.pin(db, access)
    return _back(form, member.workspace_id, conversation_id)


@post(CONVERSATION + "/archive", opt={"access": P.CONVERSATIONS_WRITE}, include_in_schema=False)
async def archive_conversation(
    conversation_id: uuid.UUID, member: Member, actor: Actor, form: FormMultiDict, db: AsyncSession
) -> Response[Any]:
    """Archive for everyone (``archived=yes``) or restore (``no``); back to where it was done."""
    access = await _access(db, member, conversation_id, P.CONVERSATIONS_WRITE)
    await organise.set_archived(db, actor, access, field(form, "archived", 8) != "no")
    return _back(form, member.workspace_id, conversation_id)


@get(WS + "/archived", opt={"access": P.CONVERSATIONS_READ}, include_in_schema=False)
async def archived_page(member: Member, db: AsyncSession, offset: Offset = 0) -> Template:
    """Archived conversations the caller can see, newest activity first, each with Restore."""
    rows = await chat.list_conversations(
        db,
        member,
        filters=organise.ConversationFilter(archived=True),
        limit=ARCHIVED_PAGE + 1,
        offset=offset,
    )
    items = tuple(conversation_link(member, c) for c in rows[:ARCHIVED_PAGE])
    page = Page(items, offset + ARCHIVED_PAGE if len(rows) > ARCHIVED_PAGE else None)
    context = await shell_context(db, member, "archived")
    return Template("archived.html", context=context | {"page": page, "offset": offset})


@get(CONVERSATION + "/move", opt={"access": P.CONVERSATIONS_WRITE}, include_in_schema=False)
async def move_page(conversation_id: uuid.UUID, member: Member, db: AsyncSession) -> Template:
    """The move form on its own page (the sidebar menu links here instead of a select per row)."""
    access = await _access(db, member, conversation_id, P.CONVERSATIONS_READ)
    if not rights_of(member, access.conversation.created_by).manage:
        raise NotFound("No such page.")
    context = await shell_context(db, member, str(conversation_id))
    return Template(
        "conversation_move.html",
        context=context
        | {
            "item": conversation_link(member, access.conversation),
            "current_project": access.conversation.project_id,
            "choices": await project_choices(db, member),
        },
    )


@get(
    WS + "/sidebar/conversations/{conversation_id:uuid}",
    opt={"access": P.CONVERSATIONS_READ},
    include_in_schema=False,
)
async def sidebar_row(
    ws_id: uuid.UUID,
    conversation_id: uuid.UUID,
    member: Member,
    db: AsyncSession,
    current: bool = False,
) -> Template:
    """One sidebar row with its menu (organise.js swaps it in for a chat created in place)."""
    access = await _access(db, member, conversation_id, P.CONVERSATIONS_READ)
    context = {
        "c": conversation_link(member, access.conversation),
        "ws_id": ws_id,
        "active": str(conversation_id) if current else "",
        "csrf": member.principal.csrf_token or "",
    }
    return Template("partials/sidebar_conversation_row.html", context=context)


@get(CONVERSATION + "/actions", opt={"access": P.CONVERSATIONS_READ}, include_in_schema=False)
async def header_actions(
    ws_id: uuid.UUID, conversation_id: uuid.UUID, member: Member, db: AsyncSession
) -> Template:
    """The chat header's menu as a fragment, for a chat page rendered without its context."""
    actions = await load_actions(db, member, conversation_id)
    if actions is None:
        raise NotFound("No such conversation.")
    context = {
        "conversation": actions,
        "conversation_actions": actions,
        "workspace": {"id": ws_id},
        "csrf": member.principal.csrf_token or "",
    }
    return Template("partials/conversation_actions.html", context=context)


@get(PROJECT, opt={"access": P.PROJECTS_READ}, include_in_schema=False)
async def project_page(
    ws_id: uuid.UUID, project_id: uuid.UUID, member: Member, db: AsyncSession, offset: Offset = 0
) -> Template:
    """A project: its conversations (mine and shared), newest first, and a new chat in it."""
    project = await projects.get_project(db, ws_id, project_id)
    context = await shell_context(db, member, f"project:{project_id}")
    page = await conversation_page(db, member, offset, project_id=project_id)
    return Template(
        "project.html",
        context=context | {"project": project, "page": page},
    )


@get(PROJECT + "/conversations", opt={"access": P.PROJECTS_READ}, include_in_schema=False)
async def project_conversations(
    ws_id: uuid.UUID, project_id: uuid.UUID, member: Member, db: AsyncSession, offset: Offset = 0
) -> Template:
    """The next page of a project's conversations (an HTMX fragment)."""
    await projects.get_project(db, ws_id, project_id)
    page = await conversation_page(db, member, offset, project_id=project_id)
    context = {"ws_id": ws_id, "project_id": project_id, "page": page}
    return Template("partials/project_conversations.html", context=context)


CONVERSATION_PAGES = [
    rename_conversation,
    change_visibility,
    move_conversation,
    delete_conversation,
    pin_conversation,
    archive_conversation,
    archived_page,
    move_page,
    sidebar_row,
    header_actions,
    project_page,
    project_conversations,
]
