"""An allow-list HTML sanitizer for rendered model output (defence in depth after markdown).

Markdown is rendered with raw HTML disabled, so the input here is already escaped text inside a
known set of tags. This pass still rebuilds the document from scratch: only the tags and
attributes below survive, links must be http, https or mailto, and the contents of ``script``
and ``style`` are dropped entirely. Anything the parser does not recognise becomes text.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "s", "del",
        "code", "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr",
        "th", "td",
    }
)  # fmt: skip
VOID_TAGS = frozenset({"br", "hr"})
DROP_CONTENT = frozenset({"script", "style", "template", "iframe", "object", "noscript"})
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_LANGUAGE_CLASS = re.compile(r"^language-[A-Za-z0-9_+#.-]{1,32}$")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def safe_link(href: str) -> str | None:
    """The URL if its scheme is allowed, else None (so ``javascript:`` never survives)."""
    cleaned = _CONTROL.sub("", href)
    try:
        scheme = urlsplit(cleaned).scheme.lower()
    except ValueError:
        return None
    return cleaned if scheme in LINK_SCHEMES else None


def _allowed_attrs(tag: str, attrs: list[tuple[str, str | None]]) -> list[tuple[str, str]]:
    kept: list[tuple[str, str]] = []
    for name, value in attrs:
        if value is None:
            continue
        if tag == "a" and name == "href" and (url := safe_link(value)) is not None:
            kept += [("href", url), ("rel", "nofollow noopener noreferrer")]
        elif tag == "ol" and name == "start" and value.isdigit():
            kept.append(("start", value))
        elif tag == "code" and name == "class" and _LANGUAGE_CLASS.match(value):
            kept.append(("class", value))
    return kept


class _Sanitizer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []
        self.dropping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROP_CONTENT:
            self.dropping += 1
            return
        if self.dropping or tag not in ALLOWED_TAGS:
            return
        rendered = "".join(f' {k}="{escape(v, quote=True)}"' for k, v in _allowed_attrs(tag, attrs))
        self.out.append(f"<{tag}{rendered}>")
        if tag not in VOID_TAGS:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID_TAGS:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in DROP_CONTENT:
            self.dropping = max(0, self.dropping - 1)
            return
        if self.dropping or tag not in self.open:
            return
        while self.open:
            top = self.open.pop()
            self.out.append(f"</{top}>")
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.out.append(escape(data, quote=False))

    def result(self) -> str:
        self.close()
        return "".join(self.out) + "".join(f"</{t}>" for t in reversed(self.open))


def sanitize_html(html: str) -> str:
    """Keep only allow-listed tags and attributes; everything else becomes inert text or goes."""
    parser = _Sanitizer()
    parser.feed(html)
    return parser.result()
