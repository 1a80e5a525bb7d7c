"""The application factory: ``create_app(settings)`` wires domains, errors and lifespan.

Settings must already point at running services (``DATABASE_URL`` and ``VAULT_ADDR`` set); the
CLI and the tests start embedded ones first when needed (:mod:`workspace.cli.embedded.stack`).
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.types import ControllerRouterHandler

from workspace.accounts.dependencies import CALLER_DEPENDENCIES
from workspace.accounts.routes import auth_router, tokens_router
from workspace.billing.routes import billing_router
from workspace.chat.downloads import downloads_router
from workspace.chat.organise_routes import organise_router
from workspace.chat.recovery import maintain
from workspace.chat.routes import chat_router
from workspace.chat.settings_routes import conversation_settings_router
from workspace.compat.routes import GATEWAY_ROUTE_HANDLERS
from workspace.config.logs import configure_logging
from workspace.config.settings import Settings
from workspace.db.sessions import make_engine, make_sessionmaker
from workspace.files.routes import attachments_router
from workspace.keys.listing import refresh_loop
from workspace.keys.model_routes import models_router
from workspace.keys.routes import keys_router
from workspace.presets.routes import presets_router
from workspace.projects.routes import projects_router
from workspace.runtime import Runtime
from workspace.runtime.dependencies import DEPENDENCIES, PUBLIC
from workspace.runtime.providers import make_registry
from workspace.search.routes import search_router
from workspace.secrets.eviction import listening
from workspace.secrets.vault import SecretStore
from workspace.server.access import require_access
from workspace.server.body_guard import BodyGuard
from workspace.server.errors import EXCEPTION_HANDLERS
from workspace.server.health import healthz, readyz
from workspace.sso.routes import sign_in_policy_router
from workspace.teams.audit_routes import audit_router
from workspace.teams.guards import provide_member
from workspace.teams.routes import invites_router, workspaces_router
from workspace.teams.token_routes import workspace_tokens_router
from workspace.transfer.routes import transfer_router
from workspace.web import WEB_ROUTE_HANDLERS, template_config
from workspace.web.errors import html_for_browsers


def _openapi() -> OpenAPIConfig:
    """The schema's own routes are public, declared like every other route's access."""
    return OpenAPIConfig(
        title="Switchboard",
        version="0.1.0",
        openapi_router=Router("/schema", route_handlers=[], opt={"access": PUBLIC}),
    )


def _routes(settings: Settings) -> list[ControllerRouterHandler]:
    """Every route: health, the domains' API routers, the pages."""
    return [
        healthz,
        readyz,
        auth_router,
        tokens_router,
        workspace_tokens_router,
        workspaces_router,
        invites_router,
        projects_router,
        presets_router,
        search_router,
        transfer_router,
        audit_router,
        sign_in_policy_router,
        billing_router,
        chat_router,
        downloads_router,
        attachments_router(settings),
        organise_router,
        conversation_settings_router,
        keys_router,
        *GATEWAY_ROUTE_HANDLERS,
        models_router,
        *WEB_ROUTE_HANDLERS,
    ]


def freeze_start_up_heap() -> None:
    """Collect once, then move every object alive (modules, routes, the ORM's mappings, the
    catalogue) out of the garbage collector's sight: a full collection walks every tracked
    object, and with the start-up heap in it one took ~260 ms on the benchmark machine, a
    pause every request in flight waits out; without it, ~20 ms. Objects frozen here are never
    collected as cycles, which is what they are for: they live as long as the process."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings) -> Litestar:
    if settings.database_url is None or settings.vault_addr is None:
        raise ValueError("create_app needs DATABASE_URL and VAULT_ADDR resolved")
    configure_logging(settings)
    database_url = settings.database_url

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = make_engine(
            database_url,
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
            statement_cache=settings.database_statement_cache,
            ping_idle_s=settings.database_ping_idle_s,
        )
        secrets = SecretStore(settings)
        app.state.runtime = Runtime(
            settings=settings,
            engine=engine,
            sessionmaker=make_sessionmaker(engine),
            secrets=secrets,
            registry=make_registry(settings),
        )
        # Dead processes' calls are recovered from the start, and this one's leases renewed.
        maintenance = asyncio.create_task(maintain(app.state.runtime))
        # The providers' model lists that expired are fetched again in the background.
        listings = asyncio.create_task(refresh_loop(app.state.runtime))
        try:
            async with listening(
                settings.database_listen_url or database_url,
                secrets,
                check_interval_s=settings.eviction_check_interval_s,
                reconnect_max_s=settings.eviction_reconnect_max_s,
            ) as eviction:
                app.state.runtime.eviction = eviction
                if settings.gc_freeze_at_start:
                    freeze_start_up_heap()
                yield
        finally:
            maintenance.cancel()
            listings.cancel()
            await asyncio.gather(maintenance, listings, return_exceptions=True)
            await app.state.runtime.registry.aclose()
            await engine.dispose()

    return Litestar(
        route_handlers=_routes(settings),
        dependencies=DEPENDENCIES | CALLER_DEPENDENCIES | {"member": Provide(provide_member)},
        # Every route's opt["access"] is enforced here, once: no handler checks by hand.
        guards=[require_access],
        # Hostile bytes (bad UTF-8, deep nesting, NUL) are refused here, once, for every route.
        middleware=[BodyGuard(max_depth=settings.json_max_depth)],
        template_config=template_config(),
        exception_handlers=html_for_browsers(EXCEPTION_HANDLERS),
        lifespan=[lifespan],
        request_max_body_size=settings.max_body_bytes,
        openapi_config=_openapi(),
        debug=False,
    )
