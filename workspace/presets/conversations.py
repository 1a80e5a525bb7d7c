"""A conversation's prompting settings: read when an answer is asked for, written by the
settings route and when a conversation starts from a preset."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.db.columns import utcnow
from workspace.presets.models import ConversationSettings, Preset
from workspace.presets.prompting import Prompting


async def load(session: AsyncSession, conversation_id: uuid.UUID) -> Prompting:
    """The conversation's settings; defaults (no system prompt) when it never had any."""
    row = await session.get(ConversationSettings, conversation_id)
    if row is None:
        return Prompting()
    return Prompting(row.system_prompt, row.temperature, row.top_p, row.max_output_tokens)


async def save(
    session: AsyncSession,
    conversation_id: uuid.UUID,
    prompting: Prompting,
    preset_id: uuid.UUID | None = None,
) -> Prompting:
    """Replace the conversation's settings (the caller checked it may write the conversation)."""
    row = await session.get(ConversationSettings, conversation_id)
    if row is None:
        row = ConversationSettings(conversation_id=conversation_id)
    row.system_prompt = prompting.system_prompt
    row.temperature = prompting.temperature
    row.top_p = prompting.top_p
    row.max_output_tokens = prompting.max_output_tokens
    row.preset_id = preset_id if preset_id is not None else row.preset_id
    row.updated_at = utcnow()
    session.add(row)
    await session.flush()
    return prompting


def of_preset(preset: Preset) -> Prompting:
    """The settings a conversation started from ``preset`` gets (a copy: later edits of the
    preset leave the conversation as it was)."""
    return Prompting(
        preset.system_prompt, preset.temperature, preset.top_p, preset.max_output_tokens
    )
