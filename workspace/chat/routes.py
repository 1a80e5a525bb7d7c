"""HTTP routes of conversations, messages (SSE), compare and the leaderboard.

Workspace-addressed routes go through the ``member`` dependency; conversation- and
compare-addressed ones through ``conversation`` / ``compare``, which load the object joined with
the caller's membership in one query (:mod:`workspace.chat.access`).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar import Request, Router, delete, get, patch, post, put
from litestar.di import Provide
from litestar.response import ServerSentEvent
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import Secret
from workspace.audit.service import Actor
from workspace.calls.request import RequestKey
from workspace.chat import answering, compare, leaderboard, service, settings_routes, turns
from workspace.chat.access import (
    CompareAccess,
    ConversationAccess,
    provide_compare,
    provide_conversation,
)
from workspace.chat.models import ChatMessage, Conversation
from workspace.chat.organise_routes import list_conversations
from workspace.chat.parts import text_of
from workspace.chat.schemas import (
    CompareIn,
    CompareOut,
    ContinueIn,
    ContinueOut,
    ConversationDetail,
    ConversationIn,
    ConversationOut,
    ConversationPatch,
    CurrentIn,
    LaneOut,
    MessageIn,
    MessageOut,
    RegenerateIn,
    StandingOut,
    UsageOut,
    VoteIn,
)
from workspace.chat.schemas import conversation_out as _conversation_out
from workspace.chat.streaming import EventStream
from workspace.errors import InvalidInput
from workspace.runtime.dependencies import runtime_of
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P

CONVERSATION = "/{conversation_id:uuid}"
COMPARE = "/{compare_id:uuid}"


class InvalidRequestKey(InvalidInput):
    code = "invalid_request_key"


def _message_out(m: ChatMessage, hidden: set[uuid.UUID]) -> MessageOut:
    blind = m.compare_id is not None and m.compare_id in hidden
    return MessageOut(
        m.id,
        m.parent_id,
        m.role,
        text_of(m.parts),
        m.parts,
        None if blind else m.model,
        None if blind else m.provider,
        m.key_source,
        m.status,
        m.finish_reason,
        m.error_code,
        m.error_message,
        m.fallback_from,
        UsageOut(m.input_tokens, m.output_tokens),
        m.latency_ms,
        m.first_token_ms,
        m.credits_charged,
        m.cost_usd_micros,
        m.author_id,
        m.compare_id,
        m.lane,
        m.created_at,
        ignored_parameters=[] if blind else m.ignored_parameters,
    )


async def _detail(db: AsyncSession, conversation: Conversation) -> ConversationDetail:
    tree = await service.load_tree(db, conversation.id)
    hidden = await service.hidden_compares(db, conversation.id)
    return ConversationDetail(
        _conversation_out(conversation),
        [m.id for m in tree.path(conversation.current_leaf_id)],
        [_message_out(m, hidden) for m in tree.messages],
    )


def _caller(request: Request[Any, Any, Any]) -> answering.Caller:
    """The per-request key (never stored) and the Idempotency-Key, from the headers."""
    provider, key = request.headers.get("x-provider"), request.headers.get("x-provider-key")
    if bool(provider) != bool(key):
        raise InvalidRequestKey("Send X-Provider and X-Provider-Key together.")
    request_key = RequestKey(provider, Secret(key)) if provider and key else None
    return answering.Caller(request_key, request.headers.get("idempotency-key"))


def _parent(value: uuid.UUID | msgspec.UnsetType | None) -> turns.ParentRef:
    return service.CURRENT_LEAF if isinstance(value, msgspec.UnsetType) else value


def _stream(events: AsyncIterator[bytes]) -> ServerSentEvent:
    return EventStream(events)


# --- workspace-addressed ------------------------------------------------------------------


@post(
    "/conversations",
    opt={"access": P.CONVERSATIONS_WRITE},
    operation_id="create_conversation",
    status_code=201,
)
async def create_conversation(
    data: ConversationIn, member: Member, actor: Actor, db: AsyncSession
) -> ConversationOut:
    """Start a conversation (private unless ``visibility`` is ``shared``)."""
    conversation = await service.create_conversation(
        db,
        actor,
        member,
        title=data.title,
        project_id=data.project_id,
        visibility=data.visibility,
    )
    if data.preset_id is not None:
        access = ConversationAccess(member, conversation)
        await settings_routes.apply_preset(db, access, data.preset_id)
    return _conversation_out(conversation)


@get("/leaderboard", opt={"access": P.CONVERSATIONS_READ}, operation_id="model_leaderboard")
async def get_leaderboard(member: Member, db: AsyncSession) -> list[StandingOut]:
    """Models ranked by compare votes in this workspace (Bradley-Terry, Elo scale)."""
    table = await leaderboard.standings(db, member.workspace_id)
    return [StandingOut(s.model, s.rating, s.wins, s.losses, s.ties, s.comparisons) for s in table]


# --- conversation-addressed ---------------------------------------------------------------


@get(CONVERSATION, opt={"access": P.CONVERSATIONS_READ}, operation_id="get_conversation")
async def get_conversation(
    conversation: ConversationAccess, db: AsyncSession
) -> ConversationDetail:
    """The conversation with its whole message tree and the current branch (root -> leaf)."""
    return await _detail(db, conversation.conversation)


@patch(CONVERSATION, opt={"access": P.CONVERSATIONS_WRITE}, operation_id="update_conversation")
async def update_conversation(
    data: ConversationPatch, conversation: ConversationAccess, actor: Actor, db: AsyncSession
) -> ConversationOut:
    """Rename; change visibility or project (creator or admins)."""
    project = data.project_id
    changes = service.ConversationChanges(
        title=data.title,
        visibility=data.visibility,
        project_id=project if isinstance(project, uuid.UUID) else None,
        clear_project=project is None,
    )
    updated = await service.update_conversation(db, actor, conversation, changes)
    return _conversation_out(updated)


@delete(CONVERSATION, opt={"access": P.CONVERSATIONS_WRITE}, operation_id="delete_conversation")
async def delete_conversation(
    conversation: ConversationAccess, actor: Actor, db: AsyncSession
) -> None:
    """Delete the conversation and its messages (creator or admins)."""
    await service.delete_conversation(db, actor, conversation)


@post(
    CONVERSATION + "/messages",
    opt={"access": P.MODELS_USE},
    operation_id="send_message",
    status_code=200,
)
async def send_message(
    data: MessageIn,
    conversation: ConversationAccess,
    request: Request[Any, Any, Any],
    db: AsyncSession,
) -> ServerSentEvent:
    """Send a message to ``model`` and stream the answer (``text/event-stream``).

    ``parent_id`` continues from another message (editing a user message = posting with the
    edited message's parent, and ``edit_of`` to carry its attachments over); without it the
    conversation's current leaf is the parent.
    """
    events = await turns.send_message(
        runtime_of(request.app.state),
        db,
        conversation,
        _caller(request),
        content=data.content,
        model_ref=data.model,
        parent_id=_parent(data.parent_id),
        attached=data.attachment_ids,
        edit_of=data.edit_of,
    )
    return _stream(events)


@post(
    CONVERSATION + "/messages/{message_id:uuid}/regenerate",
    opt={"access": P.MODELS_USE},
    operation_id="regenerate_message",
    status_code=200,
)
async def regenerate_message(
    message_id: uuid.UUID,
    data: RegenerateIn,
    conversation: ConversationAccess,
    request: Request[Any, Any, Any],
    db: AsyncSession,
) -> ServerSentEvent:
    """Answer the same user message again, possibly with another model (a sibling answer)."""
    events = await turns.regenerate(
        runtime_of(request.app.state),
        db,
        conversation,
        _caller(request),
        message_id=message_id,
        model_ref=data.model,
    )
    return _stream(events)


@put(CONVERSATION + "/current", opt={"access": P.CONVERSATIONS_WRITE}, operation_id="switch_branch")
async def switch_branch(
    data: CurrentIn, conversation: ConversationAccess, db: AsyncSession
) -> ConversationDetail:
    """Show another branch: the one through ``leaf_id``, down to its newest answer."""
    updated, _ = await service.set_current(db, conversation, data.leaf_id)
    return await _detail(db, updated)


@post(
    CONVERSATION + "/compare",
    opt={"access": P.MODELS_USE},
    operation_id="start_compare",
    status_code=200,
)
async def start_compare(
    data: CompareIn,
    conversation: ConversationAccess,
    request: Request[Any, Any, Any],
    db: AsyncSession,
) -> ServerSentEvent:
    """Send one prompt to 2..N models at once; one SSE stream, every event tagged with ``lane``."""
    events = await turns.start_compare(
        runtime_of(request.app.state),
        db,
        conversation,
        _caller(request),
        content=data.content,
        model_refs=data.models,
        blind=data.blind,
        parent_id=_parent(data.parent_id),
        attached=data.attachment_ids,
    )
    return _stream(events)


# --- compare-addressed --------------------------------------------------------------------


def _compare_out(v: compare.CompareView) -> CompareOut:
    run = v.run
    return CompareOut(
        run.id,
        run.conversation_id,
        run.user_message_id,
        run.blind,
        run.status,
        run.chosen_lane,
        v.vote.winner if v.vote else None,
        [LaneOut(lane.lane, lane.model, lane.message_id, lane.status) for lane in v.lanes],
        run.created_at,
    )


@get(COMPARE, opt={"access": P.CONVERSATIONS_READ}, operation_id="get_compare")
async def get_compare(compare_run: CompareAccess, db: AsyncSession) -> CompareOut:
    """A comparison's lanes (model names hidden while a blind comparison has no vote)."""
    return _compare_out(await compare.view(db, compare_run.run))


@post(COMPARE + "/vote", opt={"access": P.CONVERSATIONS_WRITE}, operation_id="vote_compare")
async def vote_compare(
    data: VoteIn, compare_run: CompareAccess, actor: Actor, db: AsyncSession
) -> CompareOut:
    """Pick the better lane, or ``tie`` / ``both_bad``; reveals a blind comparison."""
    return _compare_out(await compare.vote(db, actor, compare_run, data.winner))


@post(COMPARE + "/continue", opt={"access": P.CONVERSATIONS_WRITE}, operation_id="continue_compare")
async def continue_compare(
    data: ContinueIn, compare_run: CompareAccess, db: AsyncSession
) -> ContinueOut:
    """Continue the conversation on one lane: its answer becomes the current leaf."""
    leaf = await compare.continue_on(db, compare_run, data.lane)
    return ContinueOut(compare_run.run.id, data.lane, leaf)


workspace_chat_router = Router(
    "/workspaces/{ws_id:uuid}",
    route_handlers=[list_conversations, create_conversation, get_leaderboard],
)
conversations_router = Router(
    "/conversations",
    route_handlers=[
        get_conversation,
        update_conversation,
        delete_conversation,
        send_message,
        regenerate_message,
        switch_branch,
        start_compare,
    ],
    dependencies={"conversation": Provide(provide_conversation)},
)
compare_router = Router(
    "/compare",
    route_handlers=[get_compare, vote_compare, continue_compare],
    dependencies={"compare_run": Provide(provide_compare)},
)
chat_router = Router(
    "/api",
    route_handlers=[workspace_chat_router, conversations_router, compare_router],
    tags=["chat"],
)

__all__ = ["chat_router"]
