"""``python -m workspace.errors`` prints docs/errors.md, rendered from the catalogue."""

from workspace.errors.docs import render_markdown

print(render_markdown(), end="")
