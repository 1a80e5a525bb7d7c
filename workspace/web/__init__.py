"""Server-rendered pages (Jinja + HTMX): sign-in, the workspace shell, admin console and chat.

``create_app`` mounts :data:`WEB_ROUTE_HANDLERS` and :func:`template_config`; nothing else in
the app depends on this package.
"""

from __future__ import annotations

from workspace.web.routes import WEB_ROUTE_HANDLERS
from workspace.web.templating import template_config

__all__ = ["WEB_ROUTE_HANDLERS", "template_config"]
