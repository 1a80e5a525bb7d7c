"""Who-may-do-what lookups cached per process, evicted on every replica when any of them changes.

The access guard resolves, on every request, the caller (session cookie or API token), the
account's two-factor state, the membership in the workspace and the workspace's sign-in policy;
a model call, the workspace's key policy, plan and budgets, which keys exist and the
conversation's prompt settings. They rarely change, so :class:`LookupCache` keeps what was read
for up to a minute (``SWITCHBOARD_LOOKUP_CACHE_TTL_S``, and never past a session's or token's
expiry): eviction, not the TTL, is what keeps them right.

Any change to a table they are read from (sessions, tokens, users, memberships, sign-in
policies, SSO identities, two-factor enrolments, workspaces, credentials, key policies, platform
keys, budgets, conversation settings; not a bare ``last_used_at``) empties the whole cache: a
session event sees the write wherever it happens (ORM flush or ``session.execute`` of an
UPDATE/DELETE/INSERT), sends ``NOTIFY`` on the secret-eviction channel in the same transaction
(delivered on commit to every replica's :class:`~workspace.secrets.eviction.EvictionListener`,
which passes it on through :meth:`SecretStore.evict`) and empties this process's caches once it
commits. So a revoked session, token, membership or role stops working at once here and within
the notice's delivery elsewhere. While the LISTEN connection is down the cache is not used at all.
"""

from __future__ import annotations

import re
import time
import weakref
from collections.abc import Awaitable, Callable, Hashable
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from workspace.secrets.eviction import CHANNEL

PAYLOAD = "lookup:*"
WATCHED = frozenset(
    {
        "users",
        "auth_sessions",
        "api_tokens",
        "workspaces",
        "memberships",
        "sso_identities",
        "session_sign_ins",
        "sign_in_policies",
        "totp_enrolments",
        # What a model call checks before it starts (workspace.calls.gateway).
        "credentials",
        "workspace_policies",
        "platform_keys",
        "budgets",
        "conversation_settings",
    }
)
# Bookkeeping writes that change nothing a lookup decides on.
_IGNORED_COLUMNS = frozenset({"last_used_at", "last_login_at"})
# Only what was found and admitted is cached, so a new row of these cannot make an entry wrong
# (a sign-in, a new token, member or workspace evicts nothing); a new policy, key, budget,
# enrolment or setting can, since their absence is cached too.
_INSERTS_HARMLESS = frozenset(
    {"users", "auth_sessions", "api_tokens", "workspaces", "memberships", "session_sign_ins"}
)
_TEXT_WRITE = re.compile(
    r"\b(?:insert\s+into|update|delete\s+from)\s+\"?(" + "|".join(WATCHED) + r")\b", re.I
)
_DIRTY = "switchboard_lookups_dirty"
_caches: weakref.WeakSet[LookupCache] = weakref.WeakSet()
T = TypeVar("T")


class LookupCache:
    """Admitted lookups by key, each for ``ttl_s`` at most; :meth:`clear` forgets them all."""

    def __init__(self, ttl_s: float = 5.0, max_entries: int = 10_000) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        # Bumped by every clear: a lookup read before a change must not be stored after it.
        self.generation = 0
        _caches.add(self)

    def get(self, key: Hashable) -> Any | None:
        hit = self._entries.get(key)
        if hit is None:
            return None
        if hit[0] < time.monotonic():
            self._entries.pop(key, None)
            return None
        return hit[1]

    def put(
        self, key: Hashable, value: Any, generation: int, until: datetime | None = None
    ) -> None:
        """Keep ``value`` unless the cache was cleared since ``generation`` was read."""
        if generation != self.generation or self.ttl_s <= 0:
            return
        life = self.ttl_s
        if until is not None:
            life = min(life, (until - datetime.now(UTC)).total_seconds())
        if life <= 0:
            return
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + life, value)

    def clear(self) -> None:
        self.generation += 1
        self._entries.clear()

    def evict(self, path: str) -> None:
        """A secret-eviction notice: ours (``lookup:*``) or everything (``*``) empties the cache."""
        if path in ("*", PAYLOAD):
            self.clear()


async def remembered(
    cache: LookupCache | None, key: Hashable, load: Callable[[], Awaitable[T]]
) -> T:
    """``load()``'s value, from ``cache`` while it is fresh (None: no cache, always load).

    What is cached is shared by concurrent requests: ``load`` returns values nobody mutates
    (plain data, or ORM rows copied out of their session)."""
    if cache is None:
        return await load()
    hit = cache.get(key)
    if hit is not None:
        value: T = hit[0]
        return value
    generation = cache.generation
    value = await load()
    cache.put(key, (value,), generation)
    return value


def _writes_watched(state: ORMExecuteState) -> bool:
    stmt = state.statement
    if isinstance(stmt, sa.TextClause):
        return _TEXT_WRITE.search(stmt.text) is not None
    if not (state.is_insert or state.is_update or state.is_delete):
        return False
    table = getattr(stmt, "table", None)
    if getattr(table, "name", None) not in WATCHED:
        return False
    if state.is_insert and table.name in _INSERTS_HARMLESS:  # type: ignore[union-attr]
        # An upsert (ON CONFLICT DO UPDATE) may change a row: not harmless.
        return getattr(stmt, "_post_values_clause", None) is not None
    values = getattr(stmt, "_values", None) or {}
    names = {getattr(column, "key", str(column)) for column in values}
    return not (state.is_update and names and names <= _IGNORED_COLUMNS)


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    if _writes_watched(state):
        state.session.info[_DIRTY] = True


def _pending_watched(session: Session) -> bool:
    for obj in session.new:
        table = getattr(type(obj), "__tablename__", None)
        if table in WATCHED and table not in _INSERTS_HARMLESS:
            return True
    for obj in (*session.dirty, *session.deleted):
        table = getattr(type(obj), "__tablename__", None)
        if table in WATCHED and (obj in session.deleted or _changed(session, obj)):
            return True
    return False


def _changed(session: Session, obj: Any) -> bool:
    """A dirty object with a change beyond the bookkeeping columns."""
    state = sa.inspect(obj)
    changed = {a.key for a in state.attrs if a.history.has_changes()}
    return bool(changed - _IGNORED_COLUMNS) and session.is_modified(obj)


@event.listens_for(Session, "after_flush")
def _on_flush(session: Session, _context: Any) -> None:
    if _pending_watched(session):
        session.info[_DIRTY] = True


@event.listens_for(Session, "before_commit")
def _announce(session: Session) -> None:
    """In the transaction, so the notice goes out exactly when the change is committed."""
    if session.info.get(_DIRTY) or _pending_watched(session):
        session.info[_DIRTY] = True
        session.execute(sa.text("SELECT pg_notify(:c, :p)"), {"c": CHANNEL, "p": PAYLOAD})


@event.listens_for(Session, "after_commit")
def _evict_here(session: Session) -> None:
    if session.info.pop(_DIRTY, None):
        for cache in list(_caches):
            cache.clear()


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_DIRTY, None)
