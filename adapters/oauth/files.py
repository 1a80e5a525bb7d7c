"""Reading the credential files vendor CLIs write, with errors that name the field to fix.

A pasted file is untrusted input that holds live tokens: every check names the field and what
it should be, never the value, so an error message can travel to logs and the UI safely.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from adapters.errors import BadRequest


class InvalidCredentialFile(BadRequest):
    """A pasted credential file is not JSON or lacks a field the login needs."""

    code = "invalid_credential_file"


class FileReader:
    """Field checks for one kind of credential file; `where` is how people know the file."""

    def __init__(self, *, provider: str, display: str, where: str) -> None:
        self.provider = provider
        self.display = display
        self.where = where

    def fail(self, problem: str) -> InvalidCredentialFile:
        return InvalidCredentialFile(
            f"This is not a usable {self.display} credential file: {problem}. "
            f"Paste the whole {self.where} written by the CLI after you sign in.",
            provider=self.provider,
        )

    def document(self, text: str) -> dict[str, object]:
        """The file's top-level JSON object."""
        try:
            value = json.loads(text)
        except ValueError as exc:
            # JSONDecodeError messages give positions only, never the document itself.
            raise self.fail(
                f"it is not valid JSON ({type(exc).__name__}: {_reason(exc)})"
            ) from None
        if not isinstance(value, dict):
            raise self.fail("the JSON must be an object")
        return value

    def section(self, data: Mapping[str, object], name: str) -> dict[str, object]:
        value = data.get(name)
        if not isinstance(value, dict):
            raise self.fail(f"the field `{name}` is missing or is not an object")
        return value

    def string(self, data: Mapping[str, object], name: str, *, path: str = "") -> str:
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"the field `{path}{name}` is missing or is not a non-empty string")
        return value

    def epoch_ms(self, data: Mapping[str, object], name: str, *, path: str = "") -> int:
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.fail(
                f"the field `{path}{name}` is missing or is not a number (epoch milliseconds)"
            )
        return int(value)

    def optional_string(self, data: Mapping[str, object], name: str, *, path: str = "") -> None:
        if name in data and data[name] is not None and not isinstance(data[name], str):
            raise self.fail(f"the field `{path}{name}` must be a string")


def _reason(exc: ValueError) -> str:
    return exc.msg if isinstance(exc, json.JSONDecodeError) else "unreadable"


def as_str(value: object) -> str:
    """A stored field as a string ('' when absent or not a string)."""
    return value if isinstance(value, str) else ""


def as_epoch_ms(value: object) -> int | None:
    """A stored expiry as epoch milliseconds, None when absent or not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)
