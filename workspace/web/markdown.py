"""Model output as HTML: markdown with raw HTML disabled, then the allow-list sanitizer.

Model text is untrusted: it may echo a prompt-injected ``<script>`` or a ``javascript:`` link.
Nothing it contains can become markup or a script here; the streaming client appends text nodes
and the final message is re-rendered through :func:`render_markdown`.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

from workspace.web.sanitize import safe_link, sanitize_html

# Images are off: a model could otherwise make the browser fetch any URL (a tracking beacon).
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.enable("table").enable("strikethrough").disable("image")
_md.validateLink = lambda url: safe_link(url) is not None  # type: ignore[method-assign]


def render_markdown(text: str) -> Markup:
    """Render untrusted markdown to sanitized HTML that is safe to insert into a page."""
    return Markup(sanitize_html(_md.render(text)))  # noqa: S704 - sanitized just above
