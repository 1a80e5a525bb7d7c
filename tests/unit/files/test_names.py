"""A file name is a label: one segment, printable, capped, never a path."""

from __future__ import annotations

import pytest

from workspace.files.models import NAME_MAX
from workspace.files.names import FALLBACK, extension, neutralise


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\report.pdf", "report.pdf"),
        ("evil\r\nSet-Cookie: x=1.txt", "evilSet-Cookie: x=1.txt"),
        ("a\x00b\x1bc\u202egnp.exe", "abcgnp.exe"),
        ("  spaced   out  .md ", "spaced out .md"),
        ("..", FALLBACK),
        ("", FALLBACK),
        (None, FALLBACK),
        ("photo.png", "photo.png"),
    ],
)
def test_names_are_neutralised(raw: str | None, clean: str) -> None:
    assert neutralise(raw) == clean


def test_a_long_name_is_cut_keeping_its_extension() -> None:
    name = neutralise("x" * 1000 + ".json")
    assert len(name) == NAME_MAX
    assert name.endswith(".json")


def test_extension_is_lower_case_and_needs_a_stem() -> None:
    assert extension("Photo.PNG") == "png"
    assert extension(".bashrc") == ""
    assert extension("README") == ""
