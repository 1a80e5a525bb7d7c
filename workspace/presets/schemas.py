"""Request and response bodies of the preset routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

from workspace.presets.prompting import MaxOutputTokens, SystemPrompt, Temperature, TopP

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Description = Annotated[str, msgspec.Meta(max_length=2000)]
ModelRef = Annotated[str, msgspec.Meta(min_length=3, max_length=200)]


class PresetIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    description: Description = ""
    system_prompt: SystemPrompt = ""
    model: ModelRef | None = None
    temperature: Temperature | None = None
    top_p: TopP | None = None
    max_output_tokens: MaxOutputTokens | None = None
    # Only members who may share presets (admins) can create one already shared.
    shared: bool = False


class PresetPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Absent = unchanged; null clears the model or a parameter (back to the provider default)."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    system_prompt: SystemPrompt | msgspec.UnsetType = msgspec.UNSET
    model: ModelRef | msgspec.UnsetType | None = msgspec.UNSET
    temperature: Temperature | msgspec.UnsetType | None = msgspec.UNSET
    top_p: TopP | msgspec.UnsetType | None = msgspec.UNSET
    max_output_tokens: MaxOutputTokens | msgspec.UnsetType | None = msgspec.UNSET
    shared: bool | msgspec.UnsetType = msgspec.UNSET


class PresetOut(msgspec.Struct):
    id: uuid.UUID
    workspace_id: uuid.UUID
    owner_id: uuid.UUID
    name: str
    description: str
    system_prompt: str
    model: str | None
    temperature: float | None
    top_p: float | None
    max_output_tokens: int | None
    shared: bool
    created_at: datetime
    updated_at: datetime
