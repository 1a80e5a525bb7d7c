"""The audit log's actions are one enum: every ``record(...)`` call names a member of it."""

from __future__ import annotations

import ast
import uuid
from pathlib import Path

import pytest

from workspace.audit.actions import AuditAction, by_area
from workspace.audit.service import Actor, record

WORKSPACE = Path(__file__).resolve().parents[3] / "workspace"


def _action_names(node: ast.expr) -> list[str | None]:
    """The action(s) an argument can be: a literal, ``AuditAction.X``, or ``a if c else b``."""
    if isinstance(node, ast.IfExp):
        return _action_names(node.body) + _action_names(node.orelse)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "AuditAction"
    ):
        member = AuditAction.__members__.get(node.attr)
        return [member.value if member else None]
    return [None]  # computed at run time: record() still checks it


def _record_calls() -> list[tuple[str, ast.Call]]:
    calls = []
    for path in sorted(WORKSPACE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "record":
                calls.append((f"{path.relative_to(WORKSPACE)}:{node.lineno}", node))
    return calls


def test_every_record_call_names_a_known_action() -> None:
    calls = _record_calls()
    assert len(calls) >= 20, "the scan found too few record() calls to be looking right"
    known = {a.value for a in AuditAction}
    for where, call in calls:
        assert len(call.args) >= 3, where
        for name in _action_names(call.args[2]):
            assert name is None or name in known, f"{where}: {name!r} is not an AuditAction"


def test_every_action_is_recorded_somewhere() -> None:
    """An enum member nobody records would be a filter option that never matches."""
    used = {name for _, call in _record_calls() for name in _action_names(call.args[2]) if name}
    assert {a.value for a in AuditAction} == used


def test_the_filter_groups_hold_every_action_once() -> None:
    grouped = [a for _, actions in by_area() for a in actions]
    assert sorted(grouped) == sorted(AuditAction)
    assert ("member", [AuditAction.MEMBER_ROLE_CHANGED, AuditAction.MEMBER_REMOVED,
                       AuditAction.MEMBER_LEFT]) in by_area()  # fmt: skip


class _Session:
    def __init__(self) -> None:
        self.added: list[object] = []

    def add(self, row: object) -> None:
        self.added.append(row)


async def test_record_refuses_an_unknown_action() -> None:
    session = _Session()
    actor = Actor(uuid.uuid4(), None)
    with pytest.raises(ValueError):
        await record(session, actor, "made.up", target_type="x", target_id=1)  # type: ignore[arg-type]
    await record(session, actor, "member.left", target_type="user", target_id=1)  # type: ignore[arg-type]
    assert [getattr(r, "action", None) for r in session.added] == ["member.left"]
