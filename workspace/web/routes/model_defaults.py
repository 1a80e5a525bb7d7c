"""The member's default models in a workspace: one overall (preselected in a new chat) and one
per provider (picked when the member picks that provider). A plain form; the rules are
:mod:`workspace.keys.defaults`, the same as ``PUT /api/workspaces/{ws}/me/model-defaults``."""

from __future__ import annotations

from litestar import get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.keys import defaults
from workspace.keys.schemas import ModelDefaultsIO
from workspace.runtime import Runtime
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P
from workspace.web.conversations import model_groups
from workspace.web.pages import field
from workspace.web.shell import shell_context

DEFAULTS = "/w/{ws_id:uuid}/me/models"


@get(DEFAULTS, opt={"access": P.MODELS_USE}, include_in_schema=False)
async def model_defaults_page(
    member: Member, db: AsyncSession, runtime: Runtime, done: bool = False
) -> Template:
    """A select for the overall default and one per provider, with the models offered here."""
    context = await shell_context(db, member, "model-defaults")
    return Template(
        "model_defaults.html",
        context=context
        | {
            "groups": await model_groups(db, runtime, member),
            "defaults": await defaults.get_defaults(db, member),
            "saved": done,
        },
    )


@post(DEFAULTS, opt={"access": P.MODELS_USE}, include_in_schema=False)
async def save_model_defaults_page(
    member: Member, form: FormMultiDict, db: AsyncSession, runtime: Runtime
) -> Redirect:
    """Save the form: an empty select means no default."""
    per_provider: dict[str, str] = {}
    for provider in runtime.registry.providers():
        ref = field(form, f"provider_{provider.id}", 200)
        if ref:
            per_provider[provider.id] = ref
    data = ModelDefaultsIO(field(form, "overall", 200) or None, per_provider)
    await defaults.put_defaults(db, runtime.registry, member, data)
    return Redirect(f"/w/{member.workspace_id}/me/models?done=true", status_code=303)


MODEL_DEFAULT_PAGES = [model_defaults_page, save_model_defaults_page]
