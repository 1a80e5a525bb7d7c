"""What the chat pages show of a conversation, and the model picker.

:func:`load_conversation` maps the chat service's tree and the branch on screen to the view types
below, which the chat template, the branch arrows, the per-answer footer and the streaming client
(``static/chat.js``) consume. :func:`model_groups` is the picker: every model with whose key would
pay for it now and what the next turn would cost with this conversation's context.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from itertools import groupby

from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import ModelInfo
from workspace.accounts.service import display_names
from workspace.billing import plans
from workspace.chat import service as chat
from workspace.chat.access import conversation_access
from workspace.chat.context import estimate_message
from workspace.chat.models import ChatMessage, Conversation
from workspace.chat.parts import attachments_of, text_of
from workspace.errors import NotFound
from workspace.keys import policy
from workspace.runtime import Runtime
from workspace.teams.guards import Member
from workspace.teams.roles import Permission
from workspace.web.tool_views import ToolView, tool_views

PAID_BY = {
    "request": "key for this request",
    "personal": "your key",
    "workspace": "workspace key",
    "platform": "platform credits",
}


def model_label(provider: str | None, model: str | None) -> str | None:
    """``provider/model``; stored answers already hold the full reference in ``model``."""
    if not model:
        return None
    if "/" in model or not provider:
        return model
    return f"{provider}/{model}"


def usd(micros: int) -> str:
    """A cost people can read: four decimals below a cent, two above."""
    if micros <= 0:
        return "$0"
    value = micros / plans.MICROS_PER_USD
    if value < 0.0001:
        return "< $0.0001"
    return f"${value:,.4f}" if value < 0.01 else f"${value:,.2f}"


@dataclass(frozen=True)
class AttachmentView:
    """A file on a user message: an image shown in place, anything else a download chip."""

    id: str
    name: str
    is_image: bool
    size: int

    @property
    def url(self) -> str:
        return f"/api/attachments/{self.id}"

    @property
    def size_label(self) -> str:
        return f"{self.size / 1024:.0f} KB" if self.size >= 1024 else f"{self.size} B"


def attachment_views(parts: list[dict[str, object]]) -> tuple[AttachmentView, ...]:
    return tuple(
        AttachmentView(
            str(p["attachment_id"]),
            str(p.get("name", "attachment")),
            p.get("type") == "image",
            int(size) if isinstance(size := p.get("size"), int) else 0,
        )
        for p in attachments_of(parts)
    )


@dataclass(frozen=True)
class MessageView:
    """One message on the branch on screen; ``text`` is raw model or user text (rendered later)."""

    id: uuid.UUID
    parent_id: uuid.UUID | None
    role: str
    text: str
    author: str
    model: str | None = None
    key_source: str | None = None
    status: str = "complete"
    finish_reason: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    fallback_from: str | None = None
    fallback_reason: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    latency_ms: int | None = None
    credits: int = 0
    cost_usd_micros: int = 0
    branch_index: int = 1
    branch_count: int = 1
    prev_branch_id: uuid.UUID | None = None
    next_branch_id: uuid.UUID | None = None
    attachments: tuple[AttachmentView, ...] = ()
    ignored_parameters: tuple[str, ...] = ()
    tools: tuple[ToolView, ...] = ()

    @property
    def paid_by(self) -> str | None:
        return PAID_BY.get(self.key_source or "")

    @property
    def notice(self) -> str | None:
        """What went wrong with this answer, said on the answer itself (live and after reload)."""
        if self.role != "assistant":
            return None
        if self.status == "error":
            sentence = self.error_message or self.error_code or "unknown error"
            return f"This answer failed: {sentence}"
        if self.status == "streaming":
            return "Still answering: reload to see more."
        if self.status == "incomplete":
            if self.finish_reason == "cancelled":
                return "Stopped before the end."
            if self.finish_reason == "interrupted":
                return "Interrupted: the server stopped while answering; this is what had arrived."
            return "Cut short: the answer ended before the model finished."
        if self.finish_reason == "length":
            return "Cut off: the model reached its output limit."
        return None

    @property
    def settings_notice(self) -> str | None:
        """The conversation's parameters this model's provider does not take (never dropped
        silently)."""
        if not self.ignored_parameters:
            return None
        names = " and ".join(n.replace("_", " ") for n in self.ignored_parameters)
        return f"Not sent: this provider takes no {names}; the model used its own defaults."

    @property
    def fallback_notice(self) -> str | None:
        if not self.fallback_from:
            return None
        if self.fallback_from == "none":
            return "No own key for this provider: the platform key answered, charged in credits."
        whose = PAID_BY.get(self.fallback_from, self.fallback_from)
        reason = (self.fallback_reason or "failed").replace("_", " ")
        return f"The {whose} failed ({reason}); the platform key answered, charged in credits."

    @property
    def cost(self) -> str | None:
        """Credits for platform answers, the provider's price in USD for own keys."""
        if self.input_tokens is None and self.output_tokens is None:
            return None
        if self.key_source == "platform":
            return f"{self.credits:,} credit{'s' if self.credits != 1 else ''}"
        return usd(self.cost_usd_micros)

    @property
    def latency(self) -> str | None:
        if self.latency_ms is None:
            return None
        return (
            f"{self.latency_ms} ms" if self.latency_ms < 1000 else f"{self.latency_ms / 1000:.1f} s"
        )


@dataclass(frozen=True)
class ConversationView:
    id: uuid.UUID
    title: str
    messages: tuple[MessageView, ...]
    model: str | None
    shared: bool = False
    project_id: uuid.UUID | None = None
    context_tokens: int = 0

    @property
    def leaf_id(self) -> uuid.UUID | None:
        """The last message on screen: where the composer continues (never another branch)."""
        return self.messages[-1].id if self.messages else None


@dataclass(frozen=True)
class PickerModel:
    """A model in the picker: how it would be paid for now and what the next turn would cost."""

    ref: str
    display_name: str
    key_source: str | None
    allowed: bool
    input_price: float | None = None
    output_price: float | None = None
    next_turn_micros: int | None = None
    vision: bool = False

    @property
    def usable(self) -> bool:
        return self.allowed and self.key_source is not None

    @property
    def paid_by(self) -> str:
        if not self.allowed:
            return "not allowed by policy"
        return PAID_BY.get(self.key_source or "", "no key: add one")

    @property
    def estimate(self) -> str:
        """The next turn's estimated cost in the unit its payer sees (credits or USD)."""
        if self.next_turn_micros is None or self.input_price is None:
            return "price unknown"
        if self.key_source == "platform":
            credits = plans.credits_for_cost(self.next_turn_micros / plans.MICROS_PER_USD)
            return f"≈ {credits:,} credit{'s' if credits != 1 else ''}"
        return f"≈ {usd(self.next_turn_micros)}"


@dataclass(frozen=True)
class ModelGroup:
    provider_id: str
    provider_name: str
    models: tuple[PickerModel, ...]


def _branch_views(
    tree: chat.Tree, path: list[ChatMessage], hidden: set[uuid.UUID], names: dict[uuid.UUID, str]
) -> list[MessageView]:
    siblings: dict[uuid.UUID | None, list[ChatMessage]] = {}
    for m in tree.messages:
        siblings.setdefault(m.parent_id, []).append(m)
    views = []
    for node in path:
        group = [m for m in siblings.get(node.parent_id, []) if m.role == node.role]
        index = next(i for i, m in enumerate(group) if m.id == node.id)
        blind = node.compare_id is not None and node.compare_id in hidden
        views.append(
            MessageView(
                id=node.id,
                parent_id=node.parent_id,
                role=node.role,
                text=text_of(node.parts),
                attachments=attachment_views(node.parts),
                tools=tool_views(node.parts),
                author=names.get(node.author_id, "A former member") if node.author_id else "",
                model=None if blind else model_label(node.provider, node.model),
                key_source=node.key_source,
                status=node.status,
                finish_reason=node.finish_reason,
                error_code=node.error_code,
                error_message=node.error_message,
                fallback_from=node.fallback_from,
                fallback_reason=node.fallback_reason,
                ignored_parameters=() if blind else tuple(node.ignored_parameters),
                # Until the vote, figures that tell models apart (price, speed) stay hidden too.
                input_tokens=None if blind else node.input_tokens,
                output_tokens=None if blind else node.output_tokens,
                latency_ms=None if blind else node.latency_ms,
                credits=node.credits_charged,
                cost_usd_micros=0 if blind else node.cost_usd_micros,
                branch_index=index + 1,
                branch_count=len(group),
                prev_branch_id=tree.newest_leaf_under(group[index - 1].id) if index > 0 else None,
                next_branch_id=(
                    tree.newest_leaf_under(group[index + 1].id) if index + 1 < len(group) else None
                ),
            )
        )
    return views


async def visible_conversation(
    db: AsyncSession, member: Member, conversation_id: uuid.UUID
) -> Conversation | None:
    """The conversation if ``member`` may read it here, else None.

    Access is the chat service's query (membership + visibility), and the conversation must
    belong to the workspace of the URL.
    """
    try:
        access = await conversation_access(
            db, member.principal, conversation_id, Permission.CONVERSATIONS_READ
        )
    except NotFound:
        return None
    conversation = access.conversation
    return conversation if conversation.workspace_id == member.workspace_id else None


async def load_conversation(
    db: AsyncSession, member: Member, conversation_id: uuid.UUID, leaf_id: uuid.UUID | None
) -> ConversationView | None:
    """The conversation on the branch ending at ``leaf_id`` (or its current one); None if unseen."""
    conversation = await visible_conversation(db, member, conversation_id)
    return await conversation_view(db, member, conversation, leaf_id) if conversation else None


async def conversation_view(
    db: AsyncSession, member: Member, conversation: Conversation, leaf_id: uuid.UUID | None
) -> ConversationView:
    """``conversation`` (already checked visible) on one branch; authors are named, except
    the caller ("You")."""
    tree = await chat.load_tree(db, conversation.id)
    hidden = await chat.hidden_compares(db, conversation.id)
    leaf = leaf_id if leaf_id in tree.by_id else conversation.current_leaf_id
    path = tree.path(leaf)
    authors = [m.author_id for m in path if m.author_id is not None]
    names = await display_names(db, authors)
    names[member.principal.user_id] = "You"
    views = _branch_views(tree, path, hidden, names)
    last_model = next((v.model for v in reversed(views) if v.model), None)
    context_tokens = sum(estimate_message(m) for m in chat.history(path))
    return ConversationView(
        conversation.id,
        conversation.title or "New chat",
        tuple(views),
        last_model,
        conversation.visibility == "shared",
        conversation.project_id,
        context_tokens,
    )


async def model_groups(
    db: AsyncSession, runtime: Runtime, member: Member, context_tokens: int = 0
) -> list[ModelGroup]:
    """The catalogue grouped by provider: whose key would pay, and the next turn's estimate.

    The estimate is this conversation's context (``context_tokens``) in, and
    ``SWITCHBOARD_COST_PREVIEW_OUTPUT_TOKENS`` out, at the model's list price; the page adds the
    message being typed as it grows.
    """
    names = {p.id: p.display_name for p in runtime.registry.providers()}
    answer_tokens = runtime.settings.cost_preview_output_tokens
    catalogue = await policy.catalogue(db, runtime, member)
    groups = []
    for provider_id, models in groupby(catalogue, key=lambda m: m.provider):
        ordered = []
        for m in sorted(models, key=lambda m: m.display_name.lower()):
            # A model only its provider's list knows has no price: the picker says so.
            priced = ModelInfo(
                m.provider,
                m.id.partition("/")[2],
                m.display_name,
                m.context_window,
                0,
                input_price_per_mtok=m.input_price_per_mtok,
                output_price_per_mtok=m.output_price_per_mtok,
            )
            ordered.append(
                PickerModel(
                    m.id,
                    m.display_name,
                    m.key_source,
                    m.allowed,
                    m.input_price_per_mtok,
                    m.output_price_per_mtok,
                    plans.cost_usd_micros(priced, context_tokens, answer_tokens)
                    if m.price_known
                    else None,
                    vision=m.vision,
                )
            )
        groups.append(ModelGroup(provider_id, names.get(provider_id, provider_id), tuple(ordered)))
    return groups
