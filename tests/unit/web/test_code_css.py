"""The committed token colours match Pygments and are readable in both themes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.unit.web.code_css import (
    CODE_CSS,
    DARK_STYLE,
    LIGHT_STYLE,
    MARKER,
    generated_css,
    token_styles,
)

APP_CSS = Path(CODE_CSS).with_name("app.css")
WCAG_AA = 4.5


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _page_backgrounds() -> tuple[str, str]:
    """``--bg`` in app.css, light then dark: the background code blocks are drawn on."""
    light, dark = re.findall(r"--bg:\s*(#[0-9a-fA-F]{6})", APP_CSS.read_text())[:2]
    return light.lower(), dark.lower()


def test_committed_code_css_matches_the_generator() -> None:
    css = CODE_CSS.read_text()

    assert MARKER in css, "run: .venv/bin/python -m tests.unit.web.code_css"
    assert css.endswith(generated_css()), "run: .venv/bin/python -m tests.unit.web.code_css"


def test_code_css_is_scoped_to_markdown() -> None:
    css = re.sub(r"/\*.*?\*/", "", CODE_CSS.read_text(), flags=re.DOTALL)
    selectors = re.findall(r"([^{};]+)\{[^{}]*\}", css)  # the selector before each rule body

    assert selectors
    for group in selectors:
        for selector in group.split(","):
            assert selector.strip().startswith(".markdown"), selector


@pytest.mark.parametrize(("style", "theme"), [(LIGHT_STYLE, 0), (DARK_STYLE, 1)])
def test_every_token_colour_meets_wcag_aa(style: str, theme: int) -> None:
    page = _page_backgrounds()[theme]
    weak = {
        str(ttype): round(_contrast(s["color"], s["bgcolor"] or page), 2)
        for ttype, s in token_styles(style).items()
        if s["color"] and _contrast(s["color"], s["bgcolor"] or page) < WCAG_AA
    }

    assert weak == {}
