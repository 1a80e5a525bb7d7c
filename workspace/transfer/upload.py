"""The request-size rule of an import: a file may be as large as ``SWITCHBOARD_IMPORT_MAX_BYTES``.

Every other route accepts ``SWITCHBOARD_MAX_BODY_BYTES`` (the app's limit); an export file is
usually larger. The limit is a setting, so it cannot be written into the route decorator: the
route reads it from the running app when a request arrives, and Litestar enforces it while the
body streams in (413 ``request_too_large`` past it, before the body is ever parsed).
"""

from __future__ import annotations

from litestar import post

from workspace.runtime.dependencies import runtime_of


class import_post(post):
    """``@post`` for a route that receives an import file."""

    def resolve_request_max_body_size(self) -> int | None:
        return runtime_of(self.app.state).settings.import_max_bytes
