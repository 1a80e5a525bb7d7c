"""Model output rendering: code is highlighted with classes only, and nothing executable survives.

These are the unit-level guarantees of ``render_markdown`` and ``sanitize_html``; the attack
table in tests/integration/web/test_model_output_rendering.py runs the same renderer through
the page templates.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from workspace.web.markdown import HIGHLIGHT_MAX_CHARS, render_markdown
from workspace.web.sanitize import TOKEN_CLASSES, safe_link, sanitize_html

PYTHON_BLOCK = "```python\ndef greet(name):\n    return f'hi {name}'  # say hi\n```"


class _Elements(HTMLParser):
    """Real elements with their attributes, and the text the browser would show."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def test_python_block_is_highlighted_with_token_spans() -> None:
    html = str(render_markdown(PYTHON_BLOCK))

    assert html.startswith('<pre><code class="language-python"><span class="k">def</span>')
    assert '<span class="nf">greet</span>' in html
    assert '<span class="c1"># say hi</span>' in html
    spans = [attrs for tag, attrs in _parse(html).elements if tag == "span"]
    assert spans
    assert all(set((a["class"] or "").split()) <= TOKEN_CLASSES for a in spans)


def test_highlighted_block_keeps_the_exact_code_text() -> None:
    code = "\n\nx = 1 < 2 and 'a' != \"b\"\n\n"
    highlighted = str(render_markdown(f"```py\n{code}```"))
    plain = str(render_markdown(f"```\n{code}```"))

    assert "<span" in highlighted
    assert "".join(_parse(highlighted).text) == "".join(_parse(plain).text)
    assert code in "".join(_parse(highlighted).text)


@pytest.mark.parametrize("language", ["", "no-such-language", 'python"onmouseover=x'])
def test_unknown_or_missing_language_is_escaped_plain_text(language: str) -> None:
    html = str(render_markdown(f"```{language}\nif a < b: print('<b>')\n```"))

    assert "<span" not in html
    assert "if a &lt; b: print('&lt;b&gt;')" in html
    assert "onmouseover" not in html.replace("&lt;", "")


def test_very_long_blocks_are_not_tokenized() -> None:
    code = "x = 1\n" * (HIGHLIGHT_MAX_CHARS // 6 + 1)
    html = str(render_markdown(f"```python\n{code}```"))

    assert html.startswith('<pre><code class="language-python">x = 1\n')
    assert "<span" not in html


def test_code_block_closing_tags_stay_inert_text() -> None:
    for fence in ("```", "```python", "```html"):
        html = str(render_markdown(f"{fence}\n</code></pre><script>alert(1)</script>\n```"))
        tags = [tag for tag, _ in _parse(html).elements]

        assert tags.count("pre") == 1
        assert tags.count("code") == 1
        assert "script" not in tags
        assert "</code></pre><script>alert(1)</script>" in "".join(_parse(html).text)


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        '<p style="position:fixed">x</p>',
        "[x](/w/other/admin)",
    ],
)
def test_render_markdown_leaves_no_script_handler_style_or_bad_link(markdown: str) -> None:
    elements = _parse(str(render_markdown(markdown))).elements

    assert [tag for tag, _ in elements if tag not in {"p"}] == []
    assert all(attrs == {} for _, attrs in elements)


def test_sanitizer_strips_script_handlers_styles_and_bad_links() -> None:
    dirty = (
        '<p style="color:red" onclick="x()">a<script>alert(1)</script>'
        '<img src="x" onerror="alert(1)">'
        '<a href="javascript:alert(1)">j</a><a href="data:text/html,x">d</a>'
        '<a href="https://ok.example" onmouseover="y" rel="opener">ok</a></p>'
    )

    assert sanitize_html(dirty) == (
        '<p>a<a>j</a><a>d</a><a href="https://ok.example" rel="nofollow noopener noreferrer">'
        "ok</a></p>"
    )


def test_sanitizer_keeps_only_pygments_and_language_classes() -> None:
    dirty = (
        '<pre class="x"><code class="language-python evil">a</code></pre>'
        '<pre><code class="language-python"><span class="k hljs">b</span>'
        '<span class="evil" style="color:red">c</span></code></pre><p class="k">d</p>'
    )

    assert sanitize_html(dirty) == (
        '<pre><code>a</code></pre><pre><code class="language-python"><span class="k">b</span>'
        "<span>c</span></code></pre><p>d</p>"
    )


def test_sanitizer_never_allows_a_style_attribute() -> None:
    html = sanitize_html('<span class="k" style="background:url(https://t.example/x)">x</span>')

    assert html == '<span class="k">x</span>'


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("https://example.com/a?b=c", "https://example.com/a?b=c"),
        ("mailto:a@b.c", "mailto:a@b.c"),
        ("java\tscript:alert(1)", None),
        ("JAVASCRIPT:alert(1)", None),
        ("data:text/html,x", None),
        ("/relative", None),
    ],
)
def test_safe_link_allows_only_http_https_mailto(href: str, expected: str | None) -> None:
    assert safe_link(href) == expected
