"""What a call reads before it starts, remembered a moment per process.

The workspace's key policy, its plan and the budgets that apply rarely change; they come from
the runtime's lookup cache (:mod:`workspace.runtime.lookups`), which every replica empties as soon
as any of them is written. Money itself (this month's spend, the credit balance) is never cached.
"""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.billing import budgets, plans
from workspace.keys.models import WorkspacePolicy
from workspace.keys.resolution import policy_of
from workspace.runtime import Runtime
from workspace.runtime.lookups import remembered


async def key_policy(
    session: AsyncSession, runtime: Runtime, workspace_id: uuid.UUID
) -> WorkspacePolicy:
    cache = runtime.live_lookups()

    async def load() -> WorkspacePolicy:
        policy = await policy_of(session, workspace_id)
        # A row of no session when it is shared through the cache.
        return policy if cache is None else WorkspacePolicy(**policy.model_dump())

    return await remembered(cache, ("key policy", workspace_id), load)


async def budget_limits(
    session: AsyncSession, runtime: Runtime, workspace_id: uuid.UUID, user_id: uuid.UUID
) -> list[tuple[str, int]]:
    return await remembered(
        runtime.live_lookups(),
        ("budgets", workspace_id, user_id),
        lambda: budgets.limits_of(session, workspace_id, user_id),
    )


async def platform_allowed(
    session: AsyncSession, runtime: Runtime, workspace_id: uuid.UUID
) -> bool:
    return await remembered(
        runtime.live_lookups(),
        ("plan allows platform", workspace_id),
        lambda: plans.platform_allowed_for(session, workspace_id),
    )
