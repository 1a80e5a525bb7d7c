"""The access read's row becomes a conversation as the ORM would have loaded it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa

from workspace.chat.access import _loaded
from workspace.chat.models import Conversation


def _row() -> dict[str, object]:
    now = datetime.now(UTC)
    return {
        "id": uuid.uuid4(),
        "workspace_id": uuid.uuid4(),
        "project_id": None,
        "title": "Plans",
        "created_by": uuid.uuid4(),
        "visibility": "shared",
        "current_leaf_id": uuid.uuid4(),
        "created_at": now,
        "updated_at": now,
        "archived_at": None,
    }


def test_a_loaded_conversation_has_the_rows_values_and_is_detached_unchanged() -> None:
    row = _row()
    conversation = _loaded(dict(row))
    assert conversation.model_dump() == Conversation(**row).model_dump()  # type: ignore[arg-type]
    state = sa.inspect(conversation)
    assert state.detached and state.key is not None and state.key[1] == (row["id"],)
    assert not state.modified


def test_a_change_to_a_loaded_conversation_is_tracked_for_its_update() -> None:
    conversation = _loaded(_row())
    conversation.title = "Renamed"
    history = sa.inspect(conversation).attrs.title.history
    assert history.added == ["Renamed"] and history.deleted == ["Plans"]
