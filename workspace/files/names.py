"""A client's file name made harmless to store, show and send back in a header.

The name is only a label: it never decides the type and never reaches a path. Anything before
the last ``/`` or ``\\`` goes (a browser may send a full path), control and format characters go
(no newlines in a header, no right-to-left overrides in the thread), and the length is capped
keeping the extension.
"""

from __future__ import annotations

import unicodedata
from typing import Final

from workspace.files.models import NAME_MAX

FALLBACK: Final = "attachment"


def neutralise(raw: str | None) -> str:
    """A printable, single-segment name of at most ``NAME_MAX`` characters."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] not in ("C", "Z") or c == " ")
    name = " ".join(name.split()).strip(" .")
    if not name:
        return FALLBACK
    if len(name) <= NAME_MAX:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and 0 < len(extension) <= 16 and stem:
        return stem[: NAME_MAX - len(extension) - 1] + "." + extension
    return name[:NAME_MAX]


def extension(name: str) -> str:
    """The lower-case extension (``png``), or ``""``."""
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""
