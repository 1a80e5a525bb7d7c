"""What a model reads of a file: extracted once, capped, hostile PDFs refused with a clear code."""

from __future__ import annotations

import pytest

from tests.unit.files import samples
from workspace.files import extraction


def test_a_pdf_gives_its_text() -> None:
    got = extraction.pdf(
        samples.pdf_with_text("Quarterly revenue", "rose 12%"), max_pages=5, max_chars=1000
    )
    assert "Quarterly revenue" in got.text
    assert "rose 12%" in got.text
    assert not got.truncated


def test_text_over_the_cap_is_cut_and_says_so() -> None:
    got = extraction.text_file(b"abcdef", max_chars=4)
    assert (got.text, got.truncated) == ("abcd", True)


def test_a_pdf_with_too_many_pages_is_refused_before_reading_them() -> None:
    with pytest.raises(extraction.TooManyPages) as refused:
        extraction.pdf(samples.pdf_pages(6), max_pages=5, max_chars=1000)
    assert refused.value.extra == {"pages": 6, "max_pages": 5}


def test_an_encrypted_pdf_is_refused() -> None:
    with pytest.raises(extraction.EncryptedPdf):
        extraction.pdf(samples.pdf_encrypted(), max_pages=5, max_chars=1000)


@pytest.mark.parametrize("data", [b"%PDF-1.7\nnot really", samples.pdf_with_text("x")[:200]])
def test_a_damaged_pdf_is_refused(data: bytes) -> None:
    with pytest.raises(extraction.UnreadablePdf):
        extraction.pdf(data, max_pages=5, max_chars=1000)


def test_a_decompression_bomb_stops_at_the_reader_limit_and_is_refused() -> None:
    # 200 MB of inflated content in a ~200 KB file; pypdf stops inflating at its limit.
    with pytest.raises(extraction.UnreadablePdf):
        extraction.pdf(samples.pdf_bomb(), max_pages=5, max_chars=1000)
