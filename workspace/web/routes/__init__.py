"""Every page route, mounted by ``create_app`` through :data:`WEB_ROUTE_HANDLERS`."""

from __future__ import annotations

from pathlib import Path

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide
from litestar.static_files import create_static_files_router

from workspace.runtime.dependencies import PUBLIC
from workspace.web.errors import PAGE_EXCEPTION_HANDLERS
from workspace.web.headers import PAGE_HEADERS
from workspace.web.pages import PAGE_OPT, form_of
from workspace.web.routes.admin import ADMIN_PAGES
from workspace.web.routes.audit import AUDIT_PAGES
from workspace.web.routes.auth import AUTH_PAGES
from workspace.web.routes.chat import CHAT_PAGES
from workspace.web.routes.conversation_list import CONVERSATION_LIST_PAGES
from workspace.web.routes.conversations import CONVERSATION_PAGES
from workspace.web.routes.invites import INVITE_PAGES
from workspace.web.routes.keys import KEY_PAGES
from workspace.web.routes.model_defaults import MODEL_DEFAULT_PAGES
from workspace.web.routes.presets import PRESET_PAGES
from workspace.web.routes.search import SEARCH_PAGES
from workspace.web.routes.sign_in_admin import SIGN_IN_ADMIN_PAGES
from workspace.web.routes.sso import SSO_PAGES
from workspace.web.routes.token_admin import TOKEN_ADMIN_PAGES
from workspace.web.routes.transfer import TRANSFER_PAGES
from workspace.web.routes.two_factor import TWO_FACTOR_PAGES
from workspace.web.routes.workspaces import WORKSPACE_PAGES

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

pages_router = Router(
    "/",
    route_handlers=[
        *AUTH_PAGES,
        *SSO_PAGES,
        *TWO_FACTOR_PAGES,
        *SIGN_IN_ADMIN_PAGES,
        *TOKEN_ADMIN_PAGES,
        *INVITE_PAGES,
        *WORKSPACE_PAGES,
        *ADMIN_PAGES,
        *AUDIT_PAGES,
        *KEY_PAGES,
        *CHAT_PAGES,
        *CONVERSATION_PAGES,
        *CONVERSATION_LIST_PAGES,
        *SEARCH_PAGES,
        *PRESET_PAGES,
        *MODEL_DEFAULT_PAGES,
        *TRANSFER_PAGES,
    ],
    exception_handlers=PAGE_EXCEPTION_HANDLERS,
    opt={PAGE_OPT: True},
    # A form post's fields, read once (the access guard may already have read its CSRF token).
    dependencies={"form": Provide(form_of)},
    response_headers=PAGE_HEADERS,
    cache_control=CacheControlHeader(no_store=True),
    include_in_schema=False,
)

static_router = create_static_files_router(
    path="/static",
    directories=[STATIC_DIR],
    opt={"access": PUBLIC},
    cache_control=CacheControlHeader(max_age=31_536_000, public=True),
    name="static",
)

WEB_ROUTE_HANDLERS = [pages_router, static_router]
