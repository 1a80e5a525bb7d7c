"""Sending a message (or regenerating an answer): from the request to a stream of events.

Everything that can refuse the request (unknown model, a message too long for the model, no key,
policy, budget, credits, a reused Idempotency-Key) does so before the stream starts, as a problem
document; once streaming, failures are ``error`` events.

The request's unit of work holds the idempotency claim, the credit hold and the user message:
they are committed together once the handler returns, before the first byte is sent, or not at
all (a refusal rolls all three back, so a retry can run). The stream itself is background work
with transactions of its own (:mod:`workspace.chat.durable`).

Switching model needs nothing special: the branch's canonical history (root -> parent) is sent to
whichever model the message names, and the adapters translate it for that provider.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from typing import Final, Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import Message, ModelInfo, ProviderError
from workspace.chat import answering, attachments, context, idempotency, service
from workspace.chat.access import ConversationAccess
from workspace.chat.lanes import Lane
from workspace.chat.models import CompareRun
from workspace.chat.parts import StoredPart
from workspace.chat.replay import replay_stored
from workspace.db.sessions import reading
from workspace.db.writes import Write, new_row, row_insert
from workspace.errors import InvalidInput
from workspace.keys.listing import find_model
from workspace.presets import conversations as prompt_settings
from workspace.presets.prompting import Prompting
from workspace.runtime import Runtime
from workspace.runtime.lookups import remembered
from workspace.teams.roles import Permission

ParentRef = uuid.UUID | Literal["current"] | None
"""Where a new user message goes: after a message, a new root (None), or the current leaf."""


DEFAULT_PROMPTING: Final = Prompting()


class UnknownModel(InvalidInput):
    code = "model_not_found"


class MessageTooLong(InvalidInput):
    code = "context_too_long"


async def resolve_model(
    runtime: Runtime,
    db: AsyncSession,
    access: ConversationAccess,
    caller: answering.Caller,
    model_ref: str,
) -> ModelInfo:
    """The model, from the static catalogue or the paying key's own list of models."""
    key = caller.request_key
    secret = key.secret_for(model_ref) if key else None
    try:
        _, model = await find_model(db, runtime, access.member, model_ref, secret)
    except ProviderError as exc:
        raise UnknownModel(exc.message, extra={"model": model_ref}) from None
    return model


async def _prompting(runtime: Runtime, db: AsyncSession, conversation_id: uuid.UUID) -> Prompting:
    """The conversation's settings, remembered a moment (any settings change evicts them)."""
    return await remembered(
        runtime.live_lookups(),
        ("prompting", conversation_id),
        lambda: prompt_settings.load(db, conversation_id),
    )


def prepare_lane(
    model_ref: str,
    model: ModelInfo,
    messages: tuple[Message, ...],
    prompting: Prompting = DEFAULT_PROMPTING,
) -> Lane:
    """The lane with the conversation's system prompt first, the history trimmed to the model's
    window (see :mod:`.context`) and the conversation's parameters, whichever model answers."""
    messages = attachments.for_model(model_ref, model, messages)
    try:
        fitted = context.fit((*prompting.system_messages(), *messages), model)
    except context.DoesNotFit as exc:
        raise MessageTooLong(
            f"The message is too long for {model_ref}: about {exc.tokens} tokens, "
            f"{exc.budget} fit.",
            extra={"model": model_ref, "tokens": exc.tokens, "budget": exc.budget},
        ) from None
    return Lane(
        model_ref=model_ref,
        model=model,
        messages=fitted.messages,
        turns_dropped=fitted.turns_dropped,
        messages_dropped=fitted.messages_dropped,
        max_output_tokens=_output_cap(model, fitted.turns_dropped, prompting.max_output_tokens),
        temperature=prompting.temperature,
        top_p=prompting.top_p,
    )


def _output_cap(model: ModelInfo, turns_dropped: int, asked: int | None) -> int | None:
    """The conversation's limit within the model's; the reserve too once the history was cut."""
    caps: list[int] = []
    if asked is not None:
        caps.append(min(asked, model.max_output) if model.max_output > 0 else asked)
    if turns_dropped:
        caps.append(context.reserved_output(model))
    return min(caps) if caps else None


async def send_message(
    runtime: Runtime,
    db: AsyncSession,
    access: ConversationAccess,
    caller: answering.Caller,
    *,
    content: str,
    model_ref: str,
    parent_id: ParentRef,
    attached: Sequence[uuid.UUID] = (),
    edit_of: uuid.UUID | None = None,
) -> AsyncIterator[bytes]:
    """Store the user message and stream the answer; replays a finished idempotent retry.

    ``edit_of`` names the user message this one edits: its attachments are carried over."""
    access.member.require(Permission.CONVERSATIONS_WRITE)
    model = await resolve_model(runtime, db, access, caller, model_ref)
    conversation = access.conversation
    body: dict[str, object] = {"content": content, "model": model_ref, "parent": str(parent_id)}
    body["attachments"] = [str(i) for i in attached]
    body["edit_of"] = str(edit_of) if edit_of else None
    claim = await _claim(runtime, db, access, caller, "message", body)
    if claim.previous is not None:
        return await replay_stored(db, access, claim.previous)
    parent, turn, kept = await _new_turn(runtime, db, access, parent_id, content, attached, edit_of)
    prompting = await _prompting(runtime, db, conversation.id)
    lane = prepare_lane(model_ref, model, turn.messages, prompting)
    lane = await answering.started(runtime, db, access, caller, lane)
    with answering.cancelled_on_failure([lane]):
        # The conversation moves straight to the answer, written with the message.
        user, written = _user(access, parent, content, turn, kept, leaf=lane.message_id)
        ctx = answering.context(runtime, access, user, claim.record_id)
        lanes = [replace(lane, make_current=False)]
        events = await answering.stream(db, ctx, lanes, before=written)
        # New uploads were claimed (locked) in the unit of work: linked in its transaction.
        await attachments.attach(db, access, user, turn.attachments)
        return events


async def regenerate(
    runtime: Runtime,
    db: AsyncSession,
    access: ConversationAccess,
    caller: answering.Caller,
    *,
    message_id: uuid.UUID,
    model_ref: str,
) -> AsyncIterator[bytes]:
    """Answer the same user message again (possibly with another model), as a sibling."""
    access.member.require(Permission.CONVERSATIONS_WRITE)
    model = await resolve_model(runtime, db, access, caller, model_ref)
    conversation = access.conversation
    tree = await service.load_branch(db, conversation.id, message_id)
    target = tree.by_id.get(message_id)
    if target is None:
        raise service.InvalidParent("No such message in this conversation.")
    user_id = target.id if target.role == "user" else target.parent_id
    user = tree.by_id.get(user_id) if user_id else None
    if user is None or user.role != "user":
        raise service.InvalidParent("Only an answer to a user message can be regenerated.")
    body: dict[str, object] = {"regenerate": str(message_id), "model": model_ref}
    claim = await _claim(runtime, db, access, caller, "regenerate", body)
    if claim.previous is not None:
        return await replay_stored(db, access, claim.previous)
    prompting = await _prompting(runtime, db, conversation.id)
    history = await attachments.history(db, conversation.id, tree.path(user.id))
    lane = prepare_lane(model_ref, model, history, prompting)
    lane = await answering.started(runtime, db, access, caller, lane)
    with answering.cancelled_on_failure([lane]):
        conversation.current_leaf_id = user.id
        db.add(conversation)
        ctx = answering.context(runtime, access, user.id, claim.record_id)
        return await answering.stream(db, ctx, [lane])


async def start_compare(
    runtime: Runtime,
    db: AsyncSession,
    access: ConversationAccess,
    caller: answering.Caller,
    *,
    content: str,
    model_refs: Sequence[str],
    blind: bool,
    parent_id: ParentRef,
    attached: Sequence[uuid.UUID] = (),
) -> AsyncIterator[bytes]:
    """One prompt, several models at once; each answer is stored as a sibling branch."""
    access.member.require(Permission.CONVERSATIONS_WRITE)
    limit = runtime.settings.compare_max_models
    if not 2 <= len(model_refs) <= limit:
        raise CompareModelCount(
            f"A comparison needs between 2 and {limit} models; got {len(model_refs)}.",
            extra={"min": 2, "max": limit},
        )
    models = [await resolve_model(runtime, db, access, caller, ref) for ref in model_refs]
    conversation = access.conversation
    body = {
        "content": content,
        "models": list(model_refs),
        "blind": blind,
        "parent_id": str(parent_id),
        "attachments": [str(i) for i in attached],
    }
    claim = await _claim(runtime, db, access, caller, "compare", body)
    if claim.previous is not None:
        return await replay_stored(db, access, claim.previous)
    parent, turn, _ = await _new_turn(runtime, db, access, parent_id, content, attached)
    prompting = await _prompting(runtime, db, conversation.id)
    run_id = uuid.uuid4()
    compared = [
        await answering.started(
            runtime, db, access, caller,
            replace(
                prepare_lane(ref, m, turn.messages, prompting),
                lane=index, compare_id=run_id, blind=blind, make_current=False,
            ),
            refusable=True,
        )
        for index, (ref, m) in enumerate(zip(model_refs, models, strict=True))
    ]  # fmt: skip
    with answering.cancelled_on_failure(compared):
        user, written = _user(access, parent, content, turn)
        ctx = answering.context(runtime, access, user, claim.record_id)
        opened = [*written, _compare_run(access, run_id, user, model_refs, blind)]
        events = await answering.stream(db, ctx, compared, before=opened, compare_id=run_id)
        await attachments.attach(db, access, user, turn.attachments)
        return events


async def _new_turn(
    runtime: Runtime,
    db: AsyncSession,
    access: ConversationAccess,
    parent_id: ParentRef,
    content: str,
    attached: Sequence[uuid.UUID],
    edit_of: uuid.UUID | None = None,
) -> tuple[uuid.UUID | None, attachments.Turn, list[StoredPart]]:
    """The checked parent, the turn (its branch's history + the new message) and the parts kept
    from the message ``edit_of`` names; only that branch is read, not the whole tree."""
    conversation = access.conversation
    edited = (edit_of,) if edit_of else ()
    target = service.parent_target(conversation, parent_id)
    tree = service.Tree((), {})  # a new root (a conversation's first message): no history
    if target is not None or edited:
        async with reading(db) as reader:
            tree = await service.load_branch(reader, conversation.id, target, *edited)
    parent = service.resolve_parent(tree, conversation, parent_id)
    kept = attachments.kept_parts(tree, edit_of)
    path = tree.path(parent)
    return (
        parent,
        await attachments.new_turn(runtime, db, access, path, content, attached, kept),
        kept,
    )


def _user(
    access: ConversationAccess,
    parent: uuid.UUID | None,
    content: str,
    turn: attachments.Turn,
    kept: Sequence[StoredPart] = (),
    *,
    leaf: uuid.UUID | None = None,
) -> tuple[uuid.UUID, list[Write]]:
    """The new user message, with its kept and new attachments: its id and its writes, which
    join the answers' statement (the uploads are linked to it once it is written)."""
    return service.user_message(
        access.conversation,
        parent,
        access.member.principal.user_id,
        content,
        extra_parts=attachments.parts_of(turn, kept),
        leaf=leaf,
    )


class CompareModelCount(InvalidInput):
    code = "compare_model_count"


async def _claim(
    runtime: Runtime,
    db: AsyncSession,
    access: ConversationAccess,
    caller: answering.Caller,
    kind: str,
    body: dict[str, object],
) -> idempotency.Claim:
    """Own the request's Idempotency-Key, or find the earlier request's answers to replay. The
    claim joins the request's unit of work: a refusal after it rolls it back, so a retry runs."""
    if caller.idempotency_key is None:
        return idempotency.Claim(None, None)
    key = idempotency.check_key(caller.idempotency_key)
    digest = idempotency.request_hash(kind, access.conversation.id, body)
    return await idempotency.claim(
        db,
        access.member,
        key,
        digest,
        access.conversation.id,
        stale_after_s=runtime.settings.idempotency_stale_s,
    )


def _compare_run(
    access: ConversationAccess,
    run_id: uuid.UUID,
    user: uuid.UUID,
    model_refs: Sequence[str],
    blind: bool,
) -> Write:
    """The compare's run, written with its answers (which reference it)."""
    run = new_row(
        CompareRun,
        id=run_id,
        workspace_id=access.conversation.workspace_id,
        conversation_id=access.conversation.id,
        user_message_id=user,
        models=list(model_refs),
        blind=blind,
        created_by=access.member.principal.user_id,
    )
    return row_insert(CompareRun, run, "run_")
