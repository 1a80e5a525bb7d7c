"""The text a model reads from an attached file, extracted once, at upload.

A text file is its own text. A PDF goes through pypdf, whose own limits stop a decompression
bomb (a small stream that inflates without end raises ``LimitReachedError``); on top of that a
PDF with more pages than the setting is refused before any page is read, and reading stops once
the text reaches its cap (``truncated``). Encrypted or damaged PDFs, and PDFs without any text
(a scan; a bomb whose stream pypdf stopped inflating), are refused with their own codes, so the
person knows what to fix.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError

from workspace.errors import InvalidInput


class EncryptedPdf(InvalidInput):
    code = "pdf_encrypted"


class UnreadablePdf(InvalidInput):
    code = "pdf_unreadable"


class TooManyPages(InvalidInput):
    code = "pdf_too_many_pages"


@dataclass(frozen=True, slots=True)
class Extracted:
    text: str
    truncated: bool


def cut(text: str, max_chars: int) -> Extracted:
    """``text`` cut at ``max_chars`` characters."""
    if len(text) <= max_chars:
        return Extracted(text, False)
    return Extracted(text[:max_chars], True)


def text_file(data: bytes, max_chars: int) -> Extracted:
    """A UTF-8 file's text (the sniffer already proved it decodes)."""
    return cut(data.decode("utf-8"), max_chars)


def pdf(data: bytes, *, max_pages: int, max_chars: int) -> Extracted:
    """The text of a PDF's pages in order; see the module docstring for what is refused."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise EncryptedPdf("The PDF is password-protected; attach an unprotected copy.")
        pages = len(reader.pages)
        if pages > max_pages:
            raise TooManyPages(
                f"The PDF has {pages} pages; at most {max_pages} can be attached.",
                extra={"pages": pages, "max_pages": max_pages},
            )
        return _pages_text(reader, max_chars)
    except InvalidInput:
        raise
    except FileNotDecryptedError:
        raise EncryptedPdf("The PDF is password-protected; attach an unprotected copy.") from None
    except Exception as exc:
        # A damaged file surfaces from pypdf as nearly any exception type (its own, KeyError,
        # ValueError, RecursionError ...): whichever, it is the file's fault, not a server error.
        raise UnreadablePdf(
            "The PDF is damaged, or expands past safe limits, and its text cannot be read.",
            extra={"reason": type(exc).__name__},
        ) from None


def _pages_text(reader: PdfReader, max_chars: int) -> Extracted:
    pieces: list[str] = []
    length = 0
    for page in reader.pages:
        text = page.extract_text() or ""
        pieces.append(text)
        length += len(text) + 2
        if length > max_chars:
            break
    text = "\n\n".join(pieces).replace("\x00", "")
    if not text.strip():
        # A scan, or a stream pypdf stopped inflating at its limit: nothing for a model to read.
        raise UnreadablePdf("The PDF has no text to read (a scan?); paste its text instead.")
    return cut(text, max_chars)
