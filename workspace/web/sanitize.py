"""The allow-list HTML sanitizer for rendered model output (defence in depth after markdown).

Markdown is rendered with raw HTML disabled, so the input here is already escaped text inside a
known set of tags. This pass still rebuilds the document with nh3 (ammonia, an HTML5 parser in
Rust) so that a bug in the renderer or in the highlighter cannot become markup: only the tags
and attributes below survive, links must be http, https or mailto, ``class`` carries nothing
but Pygments token names on ``span`` and ``language-xxx`` on ``code``, and the contents of
``script``, ``style`` and friends are dropped entirely. No ``style`` attribute survives: the
CSP forbids inline styles, so highlighting is done with classes and ``static/code.css``.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import urlsplit

import nh3
from pygments.token import STANDARD_TYPES

ALLOWED_TAGS: Final = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "s", "del",
        "code", "pre", "span", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody",
        "tr", "th", "td",
    }
)  # fmt: skip
DROP_CONTENT: Final = frozenset({"script", "style", "template", "iframe", "object", "noscript"})
LINK_SCHEMES: Final = frozenset({"http", "https", "mailto"})
LINK_REL: Final = "nofollow noopener noreferrer"

TOKEN_CLASSES: Final = frozenset(name for name in STANDARD_TYPES.values() if name)
"""The short class names Pygments gives its standard token types (``k``, ``nf``, ``s2``...)."""

_ATTRIBUTES: Final = {"a": {"href"}, "ol": {"start"}, "code": {"class"}, "span": {"class"}}
_LANGUAGE_CLASS = re.compile(r"^language-[A-Za-z0-9_+#.-]{1,32}$")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
# ammonia adds ``rel`` to every <a>, even one whose href it just refused; such an anchor is not a
# link, so the rel goes too and the refused link reads as plain text. The serializer escapes
# ``<`` in text, so this exact string can only be a real start tag.
_DEAD_ANCHOR: Final = f'<a rel="{LINK_REL}">'


def safe_link(href: str) -> str | None:
    """The URL if its scheme is allowed, else None (so ``javascript:`` never survives).

    Control characters and spaces are removed first because browsers ignore them inside a
    scheme (``java\\tscript:``); a URL without a scheme (relative) is refused too, since model
    output has no business pointing at this application's own pages.
    """
    cleaned = _CONTROL.sub("", href)
    try:
        scheme = urlsplit(cleaned).scheme.lower()
    except ValueError:
        return None
    return cleaned if scheme in LINK_SCHEMES else None


def _token_classes(value: str) -> str | None:
    kept = [name for name in value.split() if name in TOKEN_CLASSES]
    return " ".join(kept) or None


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Decide each allowed attribute's value; None drops the attribute."""
    if tag == "a" and attribute == "href":
        return safe_link(value)
    if tag == "a" and attribute == "rel":
        return LINK_REL  # added by ammonia's link_rel, which this filter also sees
    if tag == "ol" and attribute == "start":
        return value if value.isdigit() and len(value) <= 9 else None
    if tag == "code" and attribute == "class":
        return value if _LANGUAGE_CLASS.match(value) else None
    if tag == "span" and attribute == "class":
        return _token_classes(value)
    return None


_cleaner: Final = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROP_CONTENT),
    attributes=_ATTRIBUTES,
    attribute_filter=_filter_attribute,
    link_rel=LINK_REL,
    url_schemes=set(LINK_SCHEMES),
    url_relative="deny",
    strip_comments=True,
)


def sanitize_html(html: str) -> str:
    """Keep only allow-listed tags and attributes; everything else becomes inert text or goes."""
    return _cleaner.clean(html).replace(_DEAD_ANCHOR, "<a>")
