"""Model output is markdown rendered through a sanitizer: it can never carry script."""

from __future__ import annotations

import uuid
from html.parser import HTMLParser

import pytest

from workspace.web.conversations import MessageView
from workspace.web.markdown import render_markdown
from workspace.web.sanitize import sanitize_html
from workspace.web.templating import make_environment

ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    '<a href="javascript:alert(1)">x</a>',
    "![x](javascript:alert(1))",
    "<svg onload=alert(1)>",
    "[x]: javascript:alert(1)\n\n[x]",
]


class _Tags(HTMLParser):
    """The real elements and attributes of a document (text that merely looks like HTML is not)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _assert_inert(html: str) -> None:
    parser = _Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag not in {"script", "img", "svg", "iframe", "object", "style"}, html
        assert not any(name.startswith("on") or name == "style" for name in attrs), html
        if "href" in attrs:
            assert (attrs["href"] or "").startswith(("http://", "https://", "mailto:")), html


@pytest.mark.parametrize("attack", ATTACKS)
def test_render_markdown_makes_attacks_inert(attack: str) -> None:
    html = str(render_markdown(attack))
    _assert_inert(html)
    assert "<a " not in html or 'href="http' in html


def test_raw_html_is_shown_as_text() -> None:
    html = str(render_markdown("<script>alert(1)</script>"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert str(render_markdown("<img src=x onerror=alert(1)>")).startswith("<p>&lt;img")


def test_safe_links_and_formatting_survive() -> None:
    html = str(render_markdown("**bold** [docs](https://example.com) `x<y`\n\n```py\n1<2\n```"))
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.com" rel="nofollow noopener noreferrer">docs</a>' in html
    assert "<code>x&lt;y</code>" in html
    assert (
        '<code class="language-py"><span class="mi">1</span><span class="o">&lt;</span>'
        '<span class="mi">2</span>'
    ) in html
    assert 'href="mailto:a@b.c"' in str(render_markdown("[m](mailto:a@b.c)"))


def test_sanitizer_drops_unknown_tags_attributes_and_script_content() -> None:
    dirty = (
        '<p onclick="x()">hi<script>alert(1)</script><a href="javascript:x" onmouseover="y">a</a>'
        '<a href="https://ok.example" style="x">b</a><iframe src="https://e"></iframe></p>'
    )
    clean = sanitize_html(dirty)
    assert clean == (
        '<p>hi<a>a</a><a href="https://ok.example" rel="nofollow noopener noreferrer">b</a></p>'
    )


def test_chat_template_renders_model_text_through_the_sanitizer() -> None:
    env = make_environment()
    message = MessageView(
        id=uuid.uuid4(),
        parent_id=uuid.uuid4(),
        role="assistant",
        text="<script>alert(1)</script> [x](javascript:alert(1))",
        author="",
    )
    html = env.get_template("partials/message.html").render(
        m=message, ws_id=uuid.uuid4(), conversation_id=uuid.uuid4(), can_send=True
    )
    _assert_inert(html)
    assert "&lt;script&gt;" in html
