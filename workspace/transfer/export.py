"""A conversation as a download: our JSON document or a Markdown page, one branch or the tree.

:func:`build_document` reads what the caller may see (blind compares still waiting for a vote
keep their models hidden, as on the page) and :func:`to_markdown` renders the same document, so
both formats say the same thing. :func:`download_name` makes a file name from the title that no
browser or shell can misread.
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Sequence
from urllib.parse import quote

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts.models import User
from workspace.chat import service as chat
from workspace.chat.models import ChatMessage, Conversation
from workspace.db.columns import utcnow
from workspace.presets import conversations as prompt_settings
from workspace.presets.prompting import Prompting, PromptingBody
from workspace.transfer.document import (
    FORMAT,
    VERSION,
    ConversationDoc,
    MessageDoc,
    PartDoc,
    Scope,
    UsageDoc,
)

_UNSAFE = re.compile(r"[^A-Za-z0-9 ._-]+")
NAME_MAX = 80


def _part(stored: dict[str, object]) -> PartDoc:
    kind = str(stored.get("type", ""))
    name = stored.get("name") if "attachment_id" in stored else None
    attachment = name if isinstance(name, str) else None
    if kind == "text":
        text = stored.get("text")
        return PartDoc("text", text=text if isinstance(text, str) else "", attachment=attachment)
    if kind == "image":
        data, media_type = stored.get("data"), stored.get("media_type")
        size = len(base64.b64decode(data)) if isinstance(data, str) else None
        return PartDoc(
            "image",
            media_type=media_type if isinstance(media_type, str) else None,
            size_bytes=size,
            attachment=attachment,
        )
    return PartDoc(kind)


def _message(m: ChatMessage, names: dict[uuid.UUID, str], hidden: set[uuid.UUID]) -> MessageDoc:
    blind = m.compare_id is not None and m.compare_id in hidden
    usage = None
    if m.role == "assistant" and (m.input_tokens is not None or m.cost_usd_micros):
        usage = UsageDoc(m.input_tokens, m.output_tokens, m.cost_usd_micros)
    return MessageDoc(
        id=str(m.id),
        parent_id=str(m.parent_id) if m.parent_id else None,
        role=m.role,
        parts=[_part(p) for p in m.parts],
        created_at=m.created_at,
        author=names.get(m.author_id) if m.author_id else None,
        provider=None if blind else m.provider,
        model=None if blind else m.model,
        status=m.status,
        usage=usage,
    )


async def _author_names(db: AsyncSession, messages: Sequence[ChatMessage]) -> dict[uuid.UUID, str]:
    ids = {m.author_id for m in messages if m.author_id is not None}
    if not ids:
        return {}
    rows = await db.exec(select(User.id, User.name).where(col(User.id).in_(ids)))
    return dict(rows.all())


async def build_document(
    db: AsyncSession, conversation: Conversation, scope: Scope
) -> ConversationDoc:
    """The conversation as our JSON document: the current branch, or every message."""
    tree = await chat.load_tree(db, conversation.id)
    hidden = await chat.hidden_compares(db, conversation.id)
    messages = tree.path(conversation.current_leaf_id) if scope == "branch" else tree.messages
    names = await _author_names(db, messages)
    prompting = await prompt_settings.load(db, conversation.id)
    return ConversationDoc(
        format=FORMAT,
        version=VERSION,
        title=conversation.title,
        messages=[_message(m, names, hidden) for m in messages],
        created_at=conversation.created_at,
        exported_at=utcnow(),
        scope=scope,
        current_leaf_id=str(conversation.current_leaf_id) if conversation.current_leaf_id else None,
        settings=None if prompting == Prompting() else PromptingBody.of(prompting),
    )


def _speaker(m: MessageDoc) -> str:
    if m.role == "user":
        return "**You**" if not m.author else f"**You** ({m.author})"
    if m.role == "assistant":
        if m.model:
            named = "/" in m.model or not m.provider  # a model reference names its provider
            return f"**{m.model}**" if named else f"**{m.provider}/{m.model}**"
        return "**Assistant**"
    return f"**{m.role.capitalize()}**"


def _body(m: MessageDoc) -> str:
    pieces: list[str] = []
    for part in m.parts:
        if part.attachment is not None:
            pieces.append(f"*[attached: {part.attachment}]*")
        elif part.type == "text" and part.text:
            pieces.append(part.text)
        elif part.type == "image":
            pieces.append(f"*[image: {part.media_type or 'unknown type'}]*")
    if m.status in ("error", "incomplete"):
        pieces.append(f"*(answer {'failed' if m.status == 'error' else 'stopped early'})*")
    return "\n\n".join(pieces) or "*(no text)*"


def _tree_heading(
    m: MessageDoc, numbers: dict[str, int], siblings: dict[str | None, list[str]]
) -> str:
    """``3. **You** (answering 2, version 2 of 2)``: where a message sits in the tree."""
    heading = f"{numbers[m.id]}. {_speaker(m)}"
    if m.parent_id is None:
        return heading
    versions = siblings[m.parent_id]
    where = f"answering {numbers[m.parent_id]}"
    if len(versions) > 1:
        where += f", version {versions.index(m.id) + 1} of {len(versions)}"
    return f"{heading} ({where})"


def to_markdown(doc: ConversationDoc) -> str:
    """A readable page: the title, then each turn under its speaker's heading.

    A tree export numbers the messages and says which one each answers and whether it is one of
    several versions, so alternatives can be told apart in plain text.
    """
    lines = [f"# {doc.title or 'Untitled conversation'}", ""]
    when = doc.created_at.strftime("%Y-%m-%d %H:%M UTC") if doc.created_at else "unknown date"
    what = "the current branch" if doc.scope == "branch" else "every branch"
    lines += [f"*Started {when}. Exported from Switchboard: {what}.*", ""]
    numbers = {m.id: n for n, m in enumerate(doc.messages, start=1)}
    siblings: dict[str | None, list[str]] = {}
    for m in doc.messages:
        siblings.setdefault(m.parent_id, []).append(m.id)
    for m in doc.messages:
        heading = _tree_heading(m, numbers, siblings) if doc.scope == "tree" else _speaker(m)
        lines += ["---", "", heading, "", _body(m), ""]
    return "\n".join(lines).rstrip() + "\n"


def download_name(title: str, extension: str) -> str:
    """``<safe title>.<extension>``: letters, digits, spaces, dots, dashes, underscores only."""
    safe = _UNSAFE.sub(" ", title).strip(" .")
    safe = re.sub(r"\s+", " ", safe)[:NAME_MAX].strip(" .") or "conversation"
    return f"{safe}.{extension}"


def content_disposition(title: str, extension: str) -> str:
    """An attachment header with the ASCII name, and the full UTF-8 title for browsers that
    read ``filename*`` (RFC 6266)."""
    ascii_name = download_name(title, extension)
    full = f"{title.strip()[:NAME_MAX]}.{extension}" if title.strip() else ascii_name
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(full, safe='')}"
