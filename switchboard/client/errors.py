"""Errors the client raises: the server's problem documents as one exception type."""

from __future__ import annotations

from typing import Any


class SwitchboardError(Exception):
    """A refusal from the server (its problem+json ``code``, ``status`` and ``detail``), or a
    client-side problem (``status`` 0: no server URL, no token, the server unreachable)."""

    def __init__(self, code: str, detail: str, status: int = 0, **extra: Any) -> None:
        super().__init__(f"{code}: {detail}" if status == 0 else f"{code} ({status}): {detail}")
        self.code = code
        self.detail = detail
        self.status = status
        self.extra = extra


def from_problem(status: int, body: object) -> SwitchboardError:
    """The exception for an error response; a body that is not a problem document still gives
    the status a code."""
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        extra = {k: v for k, v in body.items() if k not in {"code", "detail", "status", "type"}}
        detail = str(body.get("detail") or body.get("title") or "")
        return SwitchboardError(body["code"], detail, status, **extra)
    return SwitchboardError("http_error", f"the server answered {status}", status)
