"""Audit events as the admin console lists them: who did it, to whom, and what changed.

Rows name people, not ids: the actor, and for ``member.*`` rows the member acted on, looked up
by the row's target id (accounts outlive memberships, so a removed member is still named; an
``email`` in the details, if a row has one, names someone whose account is gone).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from workspace.audit.actions import MEMBER_ACTIONS, AuditAction
from workspace.audit.models import AuditEvent

# Details already shown in another column, or not for people.
_HIDDEN_DETAILS = frozenset({"email"})


@dataclass(frozen=True)
class Person:
    """Enough of an account to name it in a row."""

    name: str
    email: str
    current: bool  # still a member of this workspace


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    who: str  # "Alex Admin", "former member", or "system"
    target: str  # "Gus Guest (gus@example.test)" for member rows, else the target type
    details: tuple[str, ...]


def _person(person: Person | None, fallback_email: object) -> str:
    if person is not None:
        return f"{person.name} ({person.email})"
    if isinstance(fallback_email, str) and fallback_email:
        return f"{fallback_email} (no longer has an account)"
    return "a former member"


def _who(actor_id: uuid.UUID | None, people: Mapping[uuid.UUID, Person]) -> str:
    if actor_id is None:
        return "system"
    person = people.get(actor_id)
    if person is None:
        return "former member"
    return person.name if person.current else f"{person.name} (former member)"


def _details(event: AuditEvent) -> tuple[str, ...]:
    shown = {k: v for k, v in event.details.items() if v is not None and k not in _HIDDEN_DETAILS}
    if event.action == AuditAction.MEMBER_ROLE_CHANGED and {"from", "to"} <= shown.keys():
        rest = tuple(f"{k}={v}" for k, v in shown.items() if k not in {"from", "to"})
        return (f"{shown['from']} → {shown['to']}", *rest)
    return tuple(f"{k}={v}" for k, v in shown.items())


def member_target_ids(events: Iterable[AuditEvent]) -> set[uuid.UUID]:
    """Ids of the people ``member.*`` rows are about (to look up in one query)."""
    ids = set()
    for event in events:
        if event.action in MEMBER_ACTIONS:
            try:
                ids.add(uuid.UUID(event.target_id))
            except ValueError:
                continue
    return ids


def describe(events: Iterable[AuditEvent], people: Mapping[uuid.UUID, Person]) -> list[AuditRow]:
    """One row per event; ``people`` holds every actor and member target that still exists."""
    rows = []
    for event in events:
        target = event.target_type
        if event.action in MEMBER_ACTIONS:
            try:
                person = people.get(uuid.UUID(event.target_id))
            except ValueError:
                person = None
            target = _person(person, event.details.get("email"))
        rows.append(AuditRow(event, _who(event.actor_id, people), target, _details(event)))
    return rows
