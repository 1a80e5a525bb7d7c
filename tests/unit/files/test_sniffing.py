"""The type of a file comes from its bytes; the name can only make an upload be refused."""

from __future__ import annotations

import pytest

from tests.unit.files import samples
from workspace.files.sniffing import EmptyFile, NotAnImage, UnsupportedFile, sniff


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (samples.png(), "image/png"),
        (samples.JPEG_START, "image/jpeg"),
        (samples.GIF, "image/gif"),
        (samples.WEBP, "image/webp"),
    ],
)
def test_images_are_recognised_by_their_magic_numbers_whatever_the_name(
    data: bytes, media_type: str
) -> None:
    for extension in ("", "txt", "png", "pdf"):
        found = sniff(data, extension)
        assert (found.kind, found.media_type) == ("image", media_type)


def test_a_pdf_is_a_pdf_by_its_header() -> None:
    assert sniff(samples.pdf_with_text("x"), "txt").kind == "pdf"


def test_utf8_text_is_text_under_any_name_but_an_image_one() -> None:
    assert sniff("naïve, résumé\n".encode(), "csv").media_type == "text/plain"
    assert sniff(samples.HTML, "html").kind == "text"


def test_html_renamed_png_is_refused_as_not_an_image() -> None:
    with pytest.raises(NotAnImage):
        sniff(samples.HTML, "png")


@pytest.mark.parametrize("data", [b"\xff\xfe\x00b\x00a\x00d", b"abc\x00def", b"\x80\x81\x82"])
def test_bytes_that_are_not_utf8_text_or_hold_nul_are_refused(data: bytes) -> None:
    with pytest.raises(UnsupportedFile):
        sniff(data, "txt")


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(EmptyFile):
        sniff(b"", "txt")
