"""Chat and compare pages. Messages stream from the JSON API (``POST /api/conversations/{c}/
messages`` and ``.../compare``, ``text/event-stream``) into ``static/chat.js``, which appends
text nodes only; a finished message is swapped for its server-rendered, sanitized fragment.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import get
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.errors import NotFound
from workspace.keys import defaults
from workspace.projects import service as projects
from workspace.runtime import Runtime
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P
from workspace.web.conversations import (
    conversation_view,
    load_conversation,
    model_groups,
    visible_conversation,
)
from workspace.web.organise import conversation_actions_context
from workspace.web.presets import settings_panel_context
from workspace.web.shell import shell_context

WS = "/w/{ws_id:uuid}"


async def _composer(
    db: AsyncSession, member: Member, runtime: Runtime, context_tokens: int = 0
) -> dict[str, Any]:
    can_send = member.can(P.CONVERSATIONS_WRITE) and member.can(P.MODELS_USE)
    groups = await model_groups(db, runtime, member, context_tokens) if can_send else []
    return {
        "can_send": can_send,
        "model_groups": groups,
        "model_defaults": await defaults.get_defaults(db, member) if can_send else None,
        "compare_max": runtime.settings.compare_max_models,
        "member_can_manage_keys": member.can(P.CREDENTIALS_MANAGE),
        "context_tokens": context_tokens,
        "answer_tokens": runtime.settings.cost_preview_output_tokens,
    }


@get(WS + "/c/new", opt={"access": P.CONVERSATIONS_READ}, include_in_schema=False)
async def new_chat(
    member: Member,
    db: AsyncSession,
    runtime: Runtime,
    project: uuid.UUID | None = None,
    preset: uuid.UUID | None = None,
) -> Template:
    """An empty conversation: the first message creates it (in ``?project=`` if given, with the
    settings panel's system prompt and parameters, ``?preset=`` filling them in)."""
    context = (
        await shell_context(db, member, "new-chat")
        | await _composer(db, member, runtime)
        | await settings_panel_context(db, member, None, preset)
    )
    return Template(
        "chat.html",
        context=context | {"conversation": None, "project_id": await _project(db, member, project)},
    )


async def _project(db: AsyncSession, member: Member, project: uuid.UUID | None) -> uuid.UUID | None:
    """A project of this workspace to start the chat in; another workspace's id is a 404."""
    if project is None:
        return None
    await projects.get_project(db, member.workspace_id, project)
    return project


@get(
    WS + "/c/{conversation_id:uuid}", opt={"access": P.CONVERSATIONS_READ}, include_in_schema=False
)
async def chat_page(
    conversation_id: uuid.UUID,
    member: Member,
    db: AsyncSession,
    runtime: Runtime,
    leaf: uuid.UUID | None = None,
) -> Template:
    """A conversation on its active branch (``?leaf=`` picks another branch)."""
    row = await visible_conversation(db, member, conversation_id)
    if row is None:
        raise NotFound("No such conversation.")
    conversation = await conversation_view(db, member, row, leaf)
    context = (
        await shell_context(db, member, str(conversation_id))
        | await _composer(db, member, runtime, conversation.context_tokens)
        | await conversation_actions_context(db, member, row)
        | await settings_panel_context(db, member, conversation_id)
    )
    return Template(
        "chat.html",
        context=context | {"conversation": conversation, "project_id": conversation.project_id},
    )


@get(
    WS + "/c/{conversation_id:uuid}/messages/{message_id:uuid}",
    opt={"access": P.CONVERSATIONS_READ},
    include_in_schema=False,
)
async def message_fragment(
    ws_id: uuid.UUID,
    conversation_id: uuid.UUID,
    message_id: uuid.UUID,
    member: Member,
    db: AsyncSession,
) -> Template:
    """One finished message rendered server-side (markdown + sanitizer), for after a stream."""
    conversation = await load_conversation(db, member, conversation_id, message_id)
    found = [m for m in conversation.messages if m.id == message_id] if conversation else []
    if not found:
        raise NotFound("No such message.")
    can_send = member.can(P.CONVERSATIONS_WRITE) and member.can(P.MODELS_USE)
    context = {
        "m": found[0],
        "ws_id": ws_id,
        "conversation_id": conversation_id,
        "can_send": can_send,
    }
    return Template("partials/message.html", context=context)


@get(WS + "/compare", opt={"access": P.CONVERSATIONS_READ}, include_in_schema=False)
async def compare_page(
    member: Member, db: AsyncSession, runtime: Runtime, preset: uuid.UUID | None = None
) -> Template:
    """One prompt, several models side by side (lanes fill from one multiplexed SSE stream), asked
    with the settings panel's system prompt and parameters (``?preset=`` fills them in)."""
    context = (
        await shell_context(db, member, "compare")
        | await _composer(db, member, runtime)
        | await settings_panel_context(db, member, None, preset)
    )
    return Template("compare.html", context=context)


CHAT_PAGES = [new_chat, chat_page, message_fragment, compare_page]
