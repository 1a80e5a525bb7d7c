"""HTTP routes of a conversation's prompting settings: its system prompt and parameters.

``PUT`` replaces them (every answer after it is asked with them, whichever model answers);
with ``preset_id`` it copies a preset the caller may see instead.
"""

from __future__ import annotations

import uuid

from litestar import Router, get, put
from litestar.di import Provide
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.audit.actions import AuditAction
from workspace.audit.service import Actor, record
from workspace.chat.access import ConversationAccess, provide_conversation
from workspace.presets import conversations as prompt_settings
from workspace.presets import service as presets
from workspace.presets.prompting import Prompting, PromptingBody
from workspace.teams.roles import Permission as P

SETTINGS = "/{conversation_id:uuid}/settings"


class SettingsIn(PromptingBody, forbid_unknown_fields=True):
    """The settings to store; ``preset_id`` copies that preset's instead of the fields."""

    preset_id: uuid.UUID | None = None


async def apply_preset(
    db: AsyncSession, access: ConversationAccess, preset_id: uuid.UUID
) -> Prompting:
    """Copy a preset the caller may see into the conversation's settings (404 otherwise)."""
    preset = await presets.get_preset(db, access.member, preset_id)
    prompting = prompt_settings.of_preset(preset)
    return await prompt_settings.save(db, access.conversation.id, prompting, preset.id)


@get(SETTINGS, opt={"access": P.CONVERSATIONS_READ}, operation_id="get_conversation_settings")
async def get_settings(conversation: ConversationAccess, db: AsyncSession) -> PromptingBody:
    """The system prompt and parameters the conversation's answers are asked with."""
    return PromptingBody.of(await prompt_settings.load(db, conversation.conversation.id))


@put(SETTINGS, opt={"access": P.CONVERSATIONS_WRITE}, operation_id="put_conversation_settings")
async def put_settings(
    data: SettingsIn, conversation: ConversationAccess, actor: Actor, db: AsyncSession
) -> PromptingBody:
    """Replace the settings (null parameters = the provider's default); audited."""
    if data.preset_id is not None:
        prompting = await apply_preset(db, conversation, data.preset_id)
    else:
        prompting = await prompt_settings.save(db, conversation.conversation.id, data.value())
    await record(
        db,
        actor,
        AuditAction.CONVERSATION_SETTINGS_CHANGED,
        target_type="conversation",
        target_id=conversation.conversation.id,
        workspace_id=conversation.conversation.workspace_id,
        # The prompt's length, not its text: the log is read by admins, the prompt is the chat's.
        details={
            "system_prompt_chars": len(prompting.system_prompt),
            "temperature": prompting.temperature,
            "top_p": prompting.top_p,
            "max_output_tokens": prompting.max_output_tokens,
            "preset_id": str(data.preset_id) if data.preset_id else None,
        },
    )
    return PromptingBody.of(prompting)


conversation_settings_router = Router(
    "/api/conversations",
    route_handlers=[get_settings, put_settings],
    dependencies={"conversation": Provide(provide_conversation)},
    tags=["chat"],
)
