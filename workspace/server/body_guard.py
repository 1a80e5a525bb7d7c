"""The one seam where hostile request bytes are refused, before any route parses them.

Three kinds of input used to surface deep inside the stack as a 500:

* bytes that are not UTF-8 (msgspec raises ``UnicodeDecodeError``, a multipart text field too);
* JSON nested thousands of levels deep (msgspec raises ``RecursionError``);
* the NUL character in any text (PostgreSQL refuses it in ``text`` columns, a ``DBAPIError``
  after half a request has run). In JSON it arrives escaped as ``\\u0000``.

Rather than a check in every schema (and a hole in the next one), :class:`BodyGuard` is an
app-wide middleware: for every matched route it reads the body once (Litestar keeps it for the
handler, so nothing is parsed twice from the wire) and refuses it with a 400 problem
(``invalid_encoding``, ``too_deeply_nested``, ``invalid_characters``; see workspace.errors). The
exception goes through the route's own handlers, so a page's form gets the HTML error page and
the API gets problem+json. It lives next to ``errors.py`` and ``app.py`` rather than under
``web/`` because it guards the JSON API and the pages alike.

The checks themselves are pure functions on bytes, tested on their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType, ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from workspace.errors import InvalidCharacters, InvalidEncoding, TooDeeplyNested

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

NUL_SENTENCE = (
    "Text cannot contain the NUL character (\\u0000). Remove it and send the request again."
)

# A JSON string, escapes included, in the "unrolled loop" form (one way to match each character).
# An unterminated string runs to the end of the text (a lone trailing backslash included), so
# every match attempt that starts succeeds and nothing is scanned twice: linear on any input,
# where a pattern demanding the closing quote would rescan from every quote (quadratic).
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*\\?(?:"|\Z)', re.DOTALL)
# ``\u0000`` preceded by an even number of backslashes (zero included): an escape for NUL.
# With an odd number, as in ``\\u0000``, the first backslash escapes the second and the text is
# a literal backslash followed by "u0000", which is fine.
_NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")
_OPENERS = frozenset("[{")
_CLOSERS = frozenset("]}")


def exceeds_depth(text: str, max_depth: int) -> bool:
    """True when the JSON in ``text`` nests arrays/objects more than ``max_depth`` levels.

    Brackets inside strings do not count. Iterative on purpose: the point is to look at a
    200,000-deep document without recursing into it. Malformed JSON is left to the decoder.
    """
    if text.count("[") + text.count("{") <= max_depth:
        return False
    depth = 0
    for char in _JSON_STRING.sub('""', text):
        if char in _OPENERS:
            depth += 1
            if depth > max_depth:
                return True
        elif char in _CLOSERS:
            depth -= 1
    return False


def has_json_nul(text: str) -> bool:
    """A NUL in JSON text: raw (invalid JSON anyway) or the ``\\u0000`` escape."""
    return "\x00" in text or ("u0000" in text and _NUL_ESCAPE.search(text) is not None)


def check_json_body(body: bytes, max_depth: int) -> None:
    """Refuse a JSON body that is not UTF-8, nests too deep or carries a NUL."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidEncoding("The request body is not valid UTF-8 text.") from None
    if exceeds_depth(text, max_depth):
        raise TooDeeplyNested(
            f"The JSON in the request body is nested more than {max_depth} levels deep.",
            extra={"max_depth": max_depth},
        )
    if has_json_nul(text):
        raise InvalidCharacters(NUL_SENTENCE)


def check_url_encoded_body(body: bytes) -> None:
    """Refuse a form (``application/x-www-form-urlencoded``) that is not UTF-8 or has a NUL.

    Litestar decodes forms leniently (bad bytes become U+FFFD); here they are refused, as in
    JSON, so that both kinds of write follow one rule.
    """
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise InvalidEncoding("The form data is not valid UTF-8 text.") from None
    if any("\x00" in key or "\x00" in value for key, value in pairs):
        raise InvalidCharacters(NUL_SENTENCE)


def check_form_values(items: Iterable[tuple[str, Any]]) -> None:
    """Refuse parsed multipart fields (names, text values, file names) holding a NUL."""
    for key, value in items:
        text = value.filename if isinstance(value, UploadFile) else value
        if "\x00" in key or (isinstance(text, str) and "\x00" in text):
            raise InvalidCharacters(NUL_SENTENCE)


def check_target(path: str, query_string: bytes) -> None:
    """Refuse a NUL in the (decoded) path or the query string: path and query parameters
    reach database queries as text too."""
    if "\x00" in path or b"%00" in query_string or b"\x00" in query_string:
        raise InvalidCharacters(NUL_SENTENCE)


async def check_request_body(request: Request[Any, Any, Any], max_depth: int) -> None:
    """Read the body (Litestar caches it for the handler) and apply the rules for its type."""
    body = await request.body()
    if not body:
        return
    content_type, _options = request.content_type
    if content_type == RequestEncodingType.URL_ENCODED:
        check_url_encoded_body(body)
    elif content_type == RequestEncodingType.MULTI_PART:
        try:
            form = await request.form()
        except (UnicodeDecodeError, LookupError):  # a text part in bytes its charset refuses
            raise InvalidEncoding("The form data is not valid text in its charset.") from None
        check_form_values(form.multi_items())
    else:
        # Litestar decodes any other body as JSON when a route takes data, whatever the
        # Content-Type says, so every other body is held to the JSON rules.
        check_json_body(body, max_depth)


class BodyGuard(ASGIMiddleware):
    """Applies the checks above to every request a route matched, before its handler runs."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, max_depth: int) -> None:
        self.max_depth = max_depth

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request: Request[Any, Any, Any] = Request(scope, receive, send)
        check_target(scope["path"], scope["query_string"])
        if request.method in BODY_METHODS:
            await check_request_body(request, self.max_depth)
        await next_app(scope, receive, send)
