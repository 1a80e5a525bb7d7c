"""Mutable simulator state: fault scenarios, the request log and the OAuth token store.

Tests steer the simulator through ``/_simulator/scenario`` and read back what reached it through
``/_simulator/requests``; both live here. Everything runs on the server's single event loop, so
plain data structures without locks are enough.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal, get_args

from adapters.simulator.common import Failure, FailureKind
from adapters.simulator.token_store import TokenStore

ScenarioError = Literal[
    "invalid_key", "rate_limit", "quota", "overloaded", "malformed", "disconnect"
]
SCENARIO_ERRORS: Final[frozenset[str]] = frozenset(get_args(ScenarioError))

ReplyStyle = Literal["describe", "prose"]
"""``describe``: a one-line report of the context (what tests assert on); ``prose``: markdown
that reads like an answer, with the context facts in a footer (the offline demo)."""
REPLY_STYLES: Final[frozenset[str]] = frozenset(get_args(ReplyStyle))

DEFAULT_CHUNKS: Final = 8
"""How many content pieces a streamed reply is split into unless a scenario says otherwise."""

LOG_SIZE: Final = 500
"""How many requests ``GET /_simulator/requests`` remembers (oldest dropped first)."""

REDACTED: Final = "[redacted]"

LOGGED_STRING_CHARS: Final = 65_536
"""Longer strings (huge prompts, base64 images) are cut in the log so 500 entries stay small."""

_SECRET_HEADERS: Final = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "x-goog-api-key", "cookie", "set-cookie"}
)
_SECRET_HEADER_WORDS: Final = ("key", "token", "secret", "auth", "password", "cookie")
_SECRET_FIELDS: Final = frozenset(
    {
        "refresh_token",
        "access_token",
        "id_token",
        "client_secret",
        "api_key",
        "apikey",
        "password",
        "code_verifier",
        "refreshToken",
        "accessToken",
    }
)


@dataclass(frozen=True, slots=True)
class Scenario:
    """How the simulator should misbehave (or just pace itself) for one model or for all (``*``)."""

    model: str = "*"
    ttft_ms: int = 0
    interval_ms: int = 0
    chunks: int = DEFAULT_CHUNKS
    error: ScenarioError | None = None
    reply: str | None = None
    style: ReplyStyle | None = None
    """None: the simulator's own style (chosen at start-up, ``describe`` unless told)."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Scenario:
        """Validate strictly so a typo in a test fails loudly instead of silently doing nothing."""
        allowed = {"model", "ttft_ms", "interval_ms", "chunks", "error", "reply", "style"}
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown scenario fields: {sorted(unknown)}")
        model = data.get("model", "*")
        if not isinstance(model, str) or not model:
            raise ValueError("model must be a model id or '*'")
        ints: dict[str, int] = {}
        for name, default, minimum in (
            ("ttft_ms", 0, 0),
            ("interval_ms", 0, 0),
            ("chunks", DEFAULT_CHUNKS, 1),
        ):
            value = data.get(name, default)
            if value is None:
                value = default
            if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
                raise ValueError(f"{name} must be an integer >= {minimum}")
            ints[name] = value
        error = data.get("error")
        if error is not None and error not in SCENARIO_ERRORS:
            raise ValueError(f"error must be null or one of {sorted(SCENARIO_ERRORS)}")
        reply = data.get("reply")
        if reply is not None and not isinstance(reply, str):
            raise ValueError("reply must be a string or null")
        style = data.get("style")
        if style is not None and style not in REPLY_STYLES:
            raise ValueError(f"style must be null or one of {sorted(REPLY_STYLES)}")
        return cls(model, ints["ttft_ms"], ints["interval_ms"], ints["chunks"], error, reply, style)

    def failure(self) -> Failure | None:
        """The refusal this scenario forces before any work is done (None for stream faults)."""
        kinds: dict[str, FailureKind] = {
            "invalid_key": "auth",
            "rate_limit": "rate_limit",
            "quota": "quota",
            "overloaded": "overloaded",
        }
        if self.error is None or self.error not in kinds:
            return None
        return Failure(kinds[self.error], "")

    def to_json(self) -> dict[str, Any]:
        """The scenario as the control API shows it."""
        return {
            "model": self.model,
            "ttft_ms": self.ttft_ms,
            "interval_ms": self.interval_ms,
            "chunks": self.chunks,
            "error": self.error,
            "reply": self.reply,
            "style": self.style,
        }


DEFAULT_SCENARIO: Final = Scenario()


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    """Drop credentials (and anything that looks like one) before a header set is logged."""
    kept: dict[str, str] = {}
    for name, value in headers.items():
        lowered = name.lower()
        if lowered in _SECRET_HEADERS or any(w in lowered for w in _SECRET_HEADER_WORDS):
            continue
        kept[lowered] = value
    return kept


def redact_body(value: Any) -> Any:
    """Replace token and secret fields anywhere in a body, so the log never holds credentials.

    Very long strings are also shortened: the log is for checking what arrived, not a copy.
    """
    if isinstance(value, dict):
        return {k: (REDACTED if k in _SECRET_FIELDS else redact_body(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_body(v) for v in value]
    if isinstance(value, str) and len(value) > LOGGED_STRING_CHARS:
        return value[:LOGGED_STRING_CHARS] + f"...[{len(value)} chars]"
    return value


@dataclass(slots=True)
class LoggedRequest:
    """One request as it reached the simulator; status and disconnect are filled in later."""

    seq: int
    provider: str
    path: str
    model: str | None
    headers: dict[str, str]
    body: Any
    stream: bool
    status: int = 0
    disconnected: bool = False
    aborted: bool = False
    completed: bool = False
    at: float = field(default_factory=time.time)

    def to_json(self) -> dict[str, Any]:
        """The log entry as ``GET /_simulator/requests`` shows it."""
        return {
            "seq": self.seq,
            "provider": self.provider,
            "path": self.path,
            "model": self.model,
            "headers": self.headers,
            "body": self.body,
            "stream": self.stream,
            "status": self.status,
            "disconnected": self.disconnected,
            "aborted": self.aborted,
            "completed": self.completed,
            "at": self.at,
        }


class RequestLog:
    """A bounded log of recent requests, already redacted when stored."""

    def __init__(self, size: int = LOG_SIZE) -> None:
        self._entries: deque[LoggedRequest] = deque(maxlen=size)
        self._seq = 0

    def record(
        self,
        *,
        provider: str,
        path: str,
        headers: dict[str, str],
        body: Any,
        model: str | None = None,
        stream: bool = False,
    ) -> LoggedRequest:
        """Store a redacted copy of the request and return the entry to update later."""
        self._seq += 1
        entry = LoggedRequest(
            seq=self._seq,
            provider=provider,
            path=path,
            model=model,
            headers=redact_headers(headers),
            body=redact_body(body),
            stream=stream,
        )
        self._entries.append(entry)
        return entry

    def entries(self) -> list[LoggedRequest]:
        """Oldest first."""
        return list(self._entries)

    def clear(self) -> None:
        """Forget every entry (sequence numbers keep growing, so old ids are never reused)."""
        self._entries.clear()


class SimulatorState:
    """Everything one simulator instance remembers between requests."""

    def __init__(self, style: ReplyStyle = "describe") -> None:
        self.style: ReplyStyle = style
        """The reply style when no scenario names one; resetting scenarios keeps it."""
        self.scenarios: dict[str, Scenario] = {}
        self.log = RequestLog()
        self.tokens = TokenStore()

    def scenario_for(self, model: str | None) -> Scenario:
        """The model's own scenario, else the wildcard one, else plain fast behaviour.

        The answer always names a reply style: the scenario's, else the simulator's own.
        """
        if model is not None and model in self.scenarios:
            found = self.scenarios[model]
        else:
            found = self.scenarios.get("*", DEFAULT_SCENARIO)
        return found if found.style is not None else replace(found, style=self.style)

    def set_scenario(self, scenario: Scenario) -> None:
        """Install (or replace) the scenario for its model."""
        self.scenarios[scenario.model] = scenario

    def reset_scenarios(self) -> None:
        """Back to normal behaviour for every model."""
        self.scenarios.clear()
