"""Model output as HTML: markdown with raw HTML disabled, code highlighted, then the sanitizer.

Model text is untrusted: it may echo a prompt-injected ``<script>`` or a ``javascript:`` link.
Nothing it contains can become markup or a script here; the streaming client appends text nodes
and the final message is re-rendered through :func:`render_markdown`.

Fenced code blocks with a language Pygments knows are highlighted on the server as
``<span class="...">`` tokens (never inline styles: the CSP forbids them; the colours live in
``static/code.css``). Unknown languages, and blocks too big to tokenize cheaply, stay escaped
plain text. The sanitizer runs after highlighting, so the highlighter is not trusted either.
"""

from __future__ import annotations

from typing import Final

from markdown_it import MarkdownIt
from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from workspace.web.sanitize import safe_link, sanitize_html

HIGHLIGHT_MAX_CHARS: Final = 20_000
"""Longer blocks are shown plain: Pygments lexers are regular expressions, and a model can be
asked to produce pathological input; page renders must stay fast whatever the answer holds."""

# nowrap: markdown-it adds <pre><code class="language-x"> itself; classes only, no style=.
_formatter: Final = HtmlFormatter(nowrap=True)


def _lexer(language: str) -> Lexer | None:
    if not language:
        return None
    try:
        # stripnl=False keeps leading/trailing blank lines exactly as the model wrote them.
        return get_lexer_by_name(language.lower(), stripnl=False)
    except ClassNotFound:
        return None


def highlight_code(code: str, language: str, _attrs: str = "") -> str:
    """Pygments token spans for ``code``, or "" (markdown-it then escapes it as plain text)."""
    lexer = _lexer(language)
    if lexer is None or len(code) > HIGHLIGHT_MAX_CHARS:
        return ""
    return str(highlight(code, lexer, _formatter))


# Images are off: a model could otherwise make the browser fetch any URL (a tracking beacon).
_md = MarkdownIt(
    "commonmark",
    {"html": False, "linkify": False, "typographer": False, "highlight": highlight_code},
)
_md.enable("table").enable("strikethrough").disable("image")
_md.validateLink = lambda url: safe_link(url) is not None  # type: ignore[method-assign]


def render_markdown(text: str) -> Markup:
    """Render untrusted markdown to sanitized HTML that is safe to insert into a page."""
    return Markup(sanitize_html(_md.render(text)))  # noqa: S704 - sanitized just above
