"""docs/errors.md, rendered from the catalogue (``make errors-doc`` writes it)."""

from __future__ import annotations

from workspace.errors.catalogue import SECTIONS

REGENERATE = "make errors-doc  (or: python -m workspace.errors > docs/errors.md)"

_INTRO = """\
# Error codes

<!-- Generated from workspace/errors/catalogue.py by `make errors-doc`; do not edit by hand. -->

Every failure a client sees carries a stable `code`: in an `application/problem+json` body
(`type`, `status`, `code`, `title`, `detail`, and fields such as `field` or `retry_after`) with
the HTTP status below, or in the `error` event of a chat stream (the stream itself answered 200;
the status is what the code means as a response). Under `/v1` (the OpenAI- and
Anthropic-format gateway, unknown paths included) the same code and status come in that API's
own error envelope instead: OpenAI's `{"error": {"message", "type", "param", "code"}}`,
Anthropic's (under `/v1/messages`) `{"type": "error", "error": {"type", "message", "code"}}`.
Switch on `code`; `detail` is a sentence for people. A code never changes its status."""


def render_markdown() -> str:
    """The introduction, then one table per section of the catalogue."""
    lines = [_INTRO]
    for section in SECTIONS:
        lines += ["", f"## {section.title}", ""]
        if section.note:
            lines += [section.note, ""]
        lines += ["| code | status | what it means, what to do |", "|---|---|---|"]
        lines += [f"| `{e.code}` | {e.status} | {e.meaning} |" for e in section.codes]
    return "\n".join(lines) + "\n"
