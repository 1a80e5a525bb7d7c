"""HTTP routes around the model catalogue: refreshing the providers' lists, members' defaults.

``GET .../models`` itself sits with the policy in :mod:`workspace.keys.routes`.
"""

from __future__ import annotations

from litestar import Router, get, post, put
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.keys import defaults
from workspace.keys import policy as policy_service
from workspace.keys.listing import forget_listings
from workspace.keys.schemas import ModelDefaultsIO, ModelOut
from workspace.runtime import Runtime
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P

WS = "/api/workspaces/{ws_id:uuid}"


@post(
    WS + "/models/refresh",
    opt={"access": P.MODELS_USE},
    operation_id="refresh_models",
    status_code=200,
)
async def refresh_models(member: Member, db: AsyncSession, runtime: Runtime) -> list[ModelOut]:
    """Ask each provider again for the models the caller's paying keys reach; the catalogue.

    Not audited: it changes no stored state, only this process's cached lists.
    """
    await forget_listings(db, runtime, member)
    return await policy_service.catalogue(db, runtime, member)


@get(WS + "/me/model-defaults", opt={"access": P.WORKSPACE_READ}, operation_id="get_model_defaults")
async def get_model_defaults(member: Member, db: AsyncSession) -> ModelDefaultsIO:
    """The caller's default models here: overall and per provider."""
    return await defaults.get_defaults(db, member)


@put(WS + "/me/model-defaults", opt={"access": P.MODELS_USE}, operation_id="put_model_defaults")
async def put_model_defaults(
    data: ModelDefaultsIO, member: Member, db: AsyncSession, runtime: Runtime
) -> ModelDefaultsIO:
    """Replace the caller's default models here."""
    return await defaults.put_defaults(db, runtime.registry, member, data)


models_router = Router(
    "/", route_handlers=[refresh_models, get_model_defaults, put_model_defaults], tags=["models"]
)
