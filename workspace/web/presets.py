"""What the pages show of presets: the picker's choices and a conversation's settings panel."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.errors import NotFound
from workspace.presets import conversations as prompt_settings
from workspace.presets import service as presets
from workspace.presets.models import Preset
from workspace.presets.prompting import Prompting
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P

PICKER_LIMIT = 200


@dataclass(frozen=True)
class PresetChoice:
    """A preset as the picker offers it; ``data`` is what settings.js fills the panel with."""

    id: uuid.UUID
    name: str
    shared: bool
    data: str


def choice(preset: Preset) -> PresetChoice:
    data = {
        "system_prompt": preset.system_prompt,
        "model": preset.model,
        "temperature": preset.temperature,
        "top_p": preset.top_p,
        "max_output_tokens": preset.max_output_tokens,
    }
    return PresetChoice(preset.id, preset.name, preset.shared, msgspec.json.encode(data).decode())


async def settings_panel_context(
    db: AsyncSession,
    member: Member,
    conversation_id: uuid.UUID | None,
    preset_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """The settings panel near the composer: the conversation's settings (or, on a new chat, the
    ``?preset=`` one's), and the presets to start from."""
    rows = await presets.list_presets(db, member, PICKER_LIMIT)
    chosen = next((p for p in rows if p.id == preset_id), None)
    if preset_id is not None and chosen is None:
        raise NotFound("No such preset.")
    if conversation_id is not None:
        prompting = await prompt_settings.load(db, conversation_id)
    else:
        prompting = prompt_settings.of_preset(chosen) if chosen else Prompting()
    return {
        "prompting": prompting,
        "preset_choices": [choice(p) for p in rows],
        "chosen_preset": chosen,
        "can_edit_settings": member.can(P.CONVERSATIONS_WRITE),
    }
