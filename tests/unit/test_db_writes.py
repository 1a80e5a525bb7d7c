"""The message path's writes are built once per shape and combined into one statement."""

from __future__ import annotations

import uuid

import pytest

from workspace.billing.models import UsageEvent
from workspace.chat.models import LiveCall
from workspace.db.writes import as_one, row_delete, row_insert, row_update


def test_a_shape_is_built_once_and_only_its_parameters_change() -> None:
    first = row_update(UsageEvent, "id", uuid.uuid4(), {"credits": 1}, "u_")
    second = row_update(UsageEvent, "id", uuid.uuid4(), {"credits": 2}, "u_")
    assert first.statement is second.statement
    assert first.params != second.params
    other_columns = row_update(UsageEvent, "id", uuid.uuid4(), {"status": "error"}, "u_")
    assert other_columns.statement is not first.statement


def test_writes_combine_into_one_statement_with_every_parameter() -> None:
    one, two = uuid.uuid4(), uuid.uuid4()
    writes = [
        row_insert(UsageEvent, {"id": one, "credits": 0}, "usage_"),
        row_delete(LiveCall, "message_id", two, "live_"),
    ]
    combined = as_one(writes)
    assert combined.params == {"usage_id": one, "usage_credits": 0, "live_where_message_id": two}
    sql = str(combined.statement)
    assert sql.startswith("WITH write_0 AS") and "DELETE FROM live_calls" in sql
    again = as_one([row_insert(UsageEvent, {"id": two, "credits": 3}, "usage_"), writes[1]])
    assert again.statement is combined.statement
    assert as_one(writes[:1]) is writes[0]
    with pytest.raises(ValueError):
        as_one([])


def test_no_table_written_past_the_session_is_one_the_lookup_cache_watches() -> None:
    """db.writes runs statements on the connection, past the session events that evict the
    lookup cache (workspace.runtime.lookups): it must never write a table that cache reads."""
    import re
    from pathlib import Path

    from sqlmodel import SQLModel

    import workspace.runtime.lookups as lookups
    from workspace.server.app import create_app  # noqa: F401  (every model registered)

    by_class = {
        mapper.class_.__name__: mapper.local_table.name
        for mapper in SQLModel._sa_registry.mappers  # type: ignore[attr-defined]
    }
    source = "\n".join(p.read_text() for p in Path("workspace").rglob("*.py"))
    written = {by_class[m] for m in re.findall(r"row_(?:insert|update|delete)\(\s*(\w+),", source)}
    assert written, "no writes found"
    # last_used_at alone is ignored by the cache (see lookups._IGNORED_COLUMNS).
    assert written & lookups.WATCHED <= {"credentials"}, written & lookups.WATCHED
