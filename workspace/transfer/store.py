"""Checked conversations into the database: private conversations of the importer.

Everything is written in the request's transaction (flushed, never committed here); the request
commits once, so a file is imported whole or not at all. Imported answers keep the provider and
model the file names, carry no usage and charge nothing (they were paid for elsewhere, or never).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import msgspec
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import Text
from workspace.audit.actions import AuditAction
from workspace.audit.service import Actor, record
from workspace.chat.models import Conversation
from workspace.chat.parts import dump_parts, storable
from workspace.chat.titles import title_from_prompt
from workspace.db.columns import utcnow
from workspace.presets import conversations as prompt_settings
from workspace.teams.guards import Member
from workspace.transfer.shape import ImportedConversation, Node

TITLE_MAX = 200
PROVIDER_MAX = 64
MODEL_MAX = 200
UNTITLED = "Imported conversation"
# One statement for every message of the conversation, the rows passed as one JSON array:
# thousands of ORM inserts (or an executemany) took seconds where this takes a fraction of one.
# Foreign keys are checked at the end of the statement, so a parent may come in the same array.
INSERT_MESSAGES = sa.text("""
INSERT INTO chat_messages (id, conversation_id, parent_id, role, parts, author_id, provider,
                           model, status, cost_usd_micros, credits_charged, created_at)
SELECT r.id, r.conversation_id, r.parent_id, r.role, r.parts, r.author_id, r.provider,
       r.model, 'complete', 0, 0, r.created_at
FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
    id uuid, conversation_id uuid, parent_id uuid, role text, parts jsonb, author_id uuid,
    provider text, model text, created_at timestamptz)
""")
# A message without a time is placed just after its parent, so the tree keeps its order.
STEP = timedelta(milliseconds=1)


def _clip(value: str | None, limit: int) -> str | None:
    return str(storable(value))[:limit] if value else None


def _title(imported: ImportedConversation) -> str:
    title = str(storable(" ".join(imported.title.split())))[:TITLE_MAX]
    if title:
        return title
    first = next((n for n in imported.nodes if n.role == "user" and n.texts), None)
    return title_from_prompt(str(storable(first.texts[0]))) if first else UNTITLED


def _current(imported: ImportedConversation, ids: dict[str, uuid.UUID]) -> uuid.UUID | None:
    """The file's current leaf, else the newest leaf."""
    if imported.current is not None:
        return ids[imported.current]
    parents = {n.parent for n in imported.nodes}
    leaves = [n for n in imported.nodes if n.key not in parents]
    return ids[leaves[-1].key] if leaves else None


def _row(
    conversation: Conversation,
    node: Node,
    ids: tuple[uuid.UUID, uuid.UUID | None],
    when: datetime,
) -> dict[str, object]:
    """One ``chat_messages`` row (``ids``: its own, its parent's): complete, and free here."""
    answer = node.role == "assistant"
    message_id, parent = ids
    return {
        "id": message_id,
        "conversation_id": conversation.id,
        "parent_id": parent,
        "role": node.role,
        "parts": dump_parts(Text(t) for t in node.texts),
        "author_id": conversation.created_by if node.role == "user" else None,
        "provider": _clip(node.provider, PROVIDER_MAX) if answer else None,
        "model": _clip(node.model, MODEL_MAX) if answer else None,
        "created_at": when,
    }


async def store_conversation(
    db: AsyncSession, actor: Actor, member: Member, imported: ImportedConversation
) -> Conversation:
    """One imported conversation, private to the caller; its messages in tree order."""
    now = utcnow()
    conversation = Conversation(
        workspace_id=member.workspace_id,
        title=_title(imported),
        created_by=member.principal.user_id,
        visibility="private",
        created_at=imported.created_at or now,
        updated_at=now,
    )
    db.add(conversation)
    await db.flush()
    ids: dict[str, uuid.UUID] = {}
    times: dict[str, datetime] = {}
    rows: list[dict[str, object]] = []
    for node in imported.nodes:  # parents first (see workspace.transfer.shape)
        parent = ids[node.parent] if node.parent is not None else None
        before = times[node.parent] if node.parent is not None else conversation.created_at
        when = node.created_at or before + STEP
        ids[node.key], times[node.key] = uuid.uuid4(), when
        rows.append(_row(conversation, node, (ids[node.key], parent), when))
    if rows:
        await db.execute(INSERT_MESSAGES, {"rows": msgspec.json.encode(rows).decode()})
    conversation.current_leaf_id = _current(imported, ids)
    db.add(conversation)
    await db.flush()
    if imported.settings is not None:
        await prompt_settings.save(db, conversation.id, imported.settings)
    await record(
        db,
        actor,
        AuditAction.CONVERSATION_IMPORTED,
        target_type="conversation",
        target_id=conversation.id,
        workspace_id=member.workspace_id,
        details={"messages": len(imported.nodes)},
    )
    return conversation


async def store_all(
    db: AsyncSession, actor: Actor, member: Member, conversations: list[ImportedConversation]
) -> list[Conversation]:
    stored = [await store_conversation(db, actor, member, c) for c in conversations]
    await db.flush()
    return stored
