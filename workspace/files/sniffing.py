"""What a file is, decided from its bytes alone (never from the client's header or name).

Images and PDFs are recognised by their magic numbers; anything else is accepted only as text,
which must decode as UTF-8 and hold no NUL. The one use of the name is a refusal: a file named
like an image whose bytes are not one (an HTML page renamed ``.png``) is refused rather than
quietly kept as text, since whoever sent it meant an image.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from workspace.errors import InvalidInput

Kind = Literal["image", "text", "pdf"]

IMAGE_EXTENSIONS: Final = frozenset({"png", "jpg", "jpeg", "jpe", "gif", "webp"})
TEXT_MEDIA_TYPE: Final = "text/plain"
PDF_MEDIA_TYPE: Final = "application/pdf"


class UnsupportedFile(InvalidInput):
    code = "attachment_unsupported"


class EmptyFile(InvalidInput):
    code = "attachment_empty"


class NotAnImage(InvalidInput):
    code = "attachment_not_image"


@dataclass(frozen=True, slots=True)
class Sniffed:
    """The type the bytes prove: ``kind`` and the media type to store and serve."""

    kind: Kind
    media_type: str


def image_type(data: bytes) -> str | None:
    """The media type of a PNG, JPEG, GIF or WebP, from its first bytes; else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def is_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-")


def is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return "\x00" not in text


def sniff(data: bytes, extension: str) -> Sniffed:
    """The file's type, or a refusal saying why it cannot be attached."""
    if not data:
        raise EmptyFile("The file is empty.")
    media_type = image_type(data)
    if media_type is not None:
        return Sniffed("image", media_type)
    if extension in IMAGE_EXTENSIONS:
        raise NotAnImage(
            f"The file is named like an image (.{extension}) but its bytes are not a PNG, "
            "JPEG, WebP or GIF image.",
            extra={"extension": extension},
        )
    if is_pdf(data):
        return Sniffed("pdf", PDF_MEDIA_TYPE)
    if is_text(data):
        return Sniffed("text", TEXT_MEDIA_TYPE)
    raise UnsupportedFile(
        "Only images (PNG, JPEG, WebP, GIF), PDFs and UTF-8 text files can be attached."
    )
