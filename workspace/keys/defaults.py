"""Each member's default models in a workspace: one overall, one per provider.

The new-chat picker preselects the overall default, and a provider's default when the member
picks that provider. A default names a model, not a promise that it is reachable: listings and
policy change, so the picker falls back to its first usable model when a default is not offered.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import ProviderRegistry
from workspace.db.columns import utcnow
from workspace.errors import InvalidInput
from workspace.keys.models import ModelDefaults
from workspace.keys.schemas import ModelDefaultsIO
from workspace.teams.guards import Member


async def get_defaults(session: AsyncSession, member: Member) -> ModelDefaultsIO:
    row = await session.get(ModelDefaults, (member.workspace_id, member.principal.user_id))
    if row is None:
        return ModelDefaultsIO()
    return ModelDefaultsIO(row.overall, dict(row.per_provider))


def _check(registry: ProviderRegistry, ref: str, field: str, provider: str | None = None) -> None:
    provider_id, sep, model_id = ref.partition("/")
    known = {p.id for p in registry.providers()}
    if not sep or not model_id or provider_id not in known:
        raise InvalidInput(f"{ref!r} is not a 'provider/model' id.", extra={"field": field})
    if provider is not None and provider_id != provider:
        raise InvalidInput(
            f"{ref!r} is not a {provider} model.", extra={"field": f"{field}.{provider}"}
        )


async def put_defaults(
    session: AsyncSession, registry: ProviderRegistry, member: Member, data: ModelDefaultsIO
) -> ModelDefaultsIO:
    """Replace the member's defaults (flushed; the request commits)."""
    if data.overall is not None:
        _check(registry, data.overall, "overall")
    for provider, ref in data.per_provider.items():
        _check(registry, ref, "per_provider", provider)
    key = (member.workspace_id, member.principal.user_id)
    row = await session.get(ModelDefaults, key) or ModelDefaults(
        workspace_id=member.workspace_id, user_id=member.principal.user_id
    )
    row.overall = data.overall
    row.per_provider = dict(data.per_provider)
    row.updated_at = utcnow()
    session.add(row)
    await session.flush()
    return ModelDefaultsIO(row.overall, dict(row.per_provider))
