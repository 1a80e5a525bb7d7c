"""How many statements one chat message costs once this replica's lookups are warm (issue 14).

Counted with SQLAlchemy's own events (deterministic; no timing): the access guard, the policy,
plan, budgets, keys and prompt settings come from the lookup cache, so the message reads only
its conversation (with the membership) and the branch it continues (not the whole tree), writes
once before its stream and once after, and a write that stands alone needs no BEGIN or COMMIT.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.integration.chat.conftest import chat_workspace, new_conversation, stream
from tests.support import UserClient

# The app's background work (lease renewal, the recovery sweep, listings) is not the request's.
BACKGROUND = ("lease_until=", "pg_notify", "SELECT 1")


def _background(statement: str) -> bool:
    return any(mark in statement for mark in BACKGROUND) or (
        statement.startswith("SELECT") and "FROM live_calls" in statement
    )


@contextmanager
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def executed(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if not _background(statement):
            words = statement.split(None, 2)
            # The one recursive CTE reads the branch; the other WITHs here are writes.
            recursive = words[0].upper() == "WITH" and words[1].upper() == "RECURSIVE"
            seen.append("BRANCH" if recursive else words[0].upper())

    def begun(conn: Any) -> None:
        # An autocommitted connection sends no BEGIN (and no COMMIT) on the wire.
        autocommit = conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
        seen.append("AUTOCOMMIT" if autocommit else "BEGIN")

    event.listen(Engine, "before_cursor_execute", executed)
    event.listen(Engine, "begin", begun)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", executed)
        event.remove(Engine, "begin", begun)


async def _warmed(alice: UserClient) -> tuple[str, dict[str, Any]]:
    """A new conversation's message path and body, once a first message warmed the lookups."""
    ws = await chat_workspace(alice)
    conversation = await new_conversation(alice, ws)
    path = f"/api/conversations/{conversation}/messages"
    body: dict[str, Any] = {"content": "warm up", "model": "openai/gpt-4o"}
    assert (await stream(alice, path, body))[-1].event == "message.end"
    return path, body


async def test_a_chat_message_on_a_warm_replica_costs_four_round_trips(
    alice: UserClient,
) -> None:
    path, body = await _warmed(alice)
    with statements() as seen:
        events = await stream(alice, path, {**body, "content": "counted"})
    assert events[-1].event == "message.end"
    # Three statements, each autocommitted (no BEGIN, no COMMIT): the conversation (with the
    # membership) and the branch it continues (not the whole tree) are read before the
    # request writes; then its one write, the user message with the streaming answer, its
    # lease and the conversation's new leaf, atomic alone.
    assert seen[:6] == ["AUTOCOMMIT", "SELECT", "AUTOCOMMIT", "BRANCH", "AUTOCOMMIT", "WITH"]
    # After the stream: the usage event, the lease's end and the answer's final state, one
    # autocommitted statement. No last-used write: the key was marked a moment ago.
    assert seen[6:] == ["AUTOCOMMIT", "WITH"], seen


async def test_a_compare_opens_every_lane_in_one_statement(alice: UserClient) -> None:
    """Every lane's call is started and sent in the request; the run, the answers and their
    leases are one statement, so a compare costs what one message costs before its stream."""
    ws = await chat_workspace(alice)
    conversation = await new_conversation(alice, ws)
    path = f"/api/conversations/{conversation}/compare"
    models = ["openai/gpt-4o", "openai/gpt-4o-mini", "openai/gpt-4.1"]
    body = {"content": "warm up", "models": models, "parent_id": None}  # each a new root
    assert (await stream(alice, path, body))[-1].event == "message.end"
    with statements() as seen:
        events = await stream(alice, path, {**body, "content": "counted"})
    assert [e.data["status"] for e in events if e.event == "message.end"] == ["complete"] * 3
    # The conversation; no branch to read (a new root); one statement for the user message,
    # the run and every answer with its lease; each autocommitted.
    assert seen[:4] == ["AUTOCOMMIT", "SELECT", "AUTOCOMMIT", "WITH"], seen
    # After the stream: each lane's accounting and final state, then the run is done; each one
    # autocommitted statement.
    assert seen[4:] == ["AUTOCOMMIT", "WITH"] * 3 + ["AUTOCOMMIT", "UPDATE"], seen


async def test_a_message_with_other_writes_keeps_one_transaction(alice: UserClient) -> None:
    """With an Idempotency-Key the request writes its claim first: the claim and the message
    then commit together (one transaction), so a refusal in between leaves neither."""
    path, body = await _warmed(alice)
    with statements() as seen:
        events = await stream(
            alice, path, {**body, "content": "keyed"}, headers={"Idempotency-Key": "k-one-tx"}
        )
    assert events[-1].event == "message.end"
    # The conversation is read before; from the claim on, one transaction: the claim, the
    # branch (read in it, after the claim) and the message's statement, then COMMIT.
    begun = seen.index("BEGIN")
    assert seen[: begun + 4] == ["AUTOCOMMIT", "SELECT", "BEGIN", "INSERT", "BRANCH", "WITH"]
