"""Plans, their monthly credit allowance, and the price of a model call.

One credit is 1/1000 USD of estimated provider cost. Costs are kept in integer micro-dollars
(1 USD = 1_000_000 micros) so sums never drift; a credit is therefore 1_000 micros.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import ModelInfo
from workspace.teams.models import Workspace

MICROS_PER_USD = 1_000_000
MICROS_PER_CREDIT = 1_000
TOKENS_PER_PRICE_UNIT = 1_000_000  # prices are quoted per million tokens


@dataclass(frozen=True)
class Plan:
    name: str
    monthly_credits: int
    platform_models: bool  # whether the platform's hosted keys may serve this workspace


PLANS: dict[str, Plan] = {
    "free": Plan("free", monthly_credits=1_000, platform_models=True),
    "pro": Plan("pro", monthly_credits=20_000, platform_models=True),
    "team": Plan("team", monthly_credits=100_000, platform_models=True),
}
DEFAULT_PLAN = "free"


def plan_named(name: str) -> Plan:
    """The plan called ``name``; an unknown name gets the free plan, never more."""
    return PLANS.get(name, PLANS[DEFAULT_PLAN])


async def plan_of(session: AsyncSession, workspace_id: uuid.UUID) -> Plan:
    stmt = select(Workspace.plan).where(Workspace.id == workspace_id)
    name = (await session.exec(stmt)).first()
    return plan_named(name or DEFAULT_PLAN)


async def platform_allowed_for(session: AsyncSession, workspace_id: uuid.UUID) -> bool:
    """Whether the workspace's plan lets the platform's hosted key serve its calls."""
    return (await plan_of(session, workspace_id)).platform_models


def cost_usd_micros(model: ModelInfo, input_tokens: int, output_tokens: int) -> int:
    """Estimated provider cost in micro-dollars, rounded up; an unknown price counts as 0."""
    total = Decimal(0)
    if model.input_price_per_mtok is not None:
        total += Decimal(str(model.input_price_per_mtok)) * max(input_tokens, 0)
    if model.output_price_per_mtok is not None:
        total += Decimal(str(model.output_price_per_mtok)) * max(output_tokens, 0)
    # price per 1M tokens * tokens / 1M = USD; * 1M = micros: the two millions cancel.
    return math.ceil(total)


def cost_usd(model: ModelInfo, input_tokens: int, output_tokens: int) -> float:
    """Estimated provider cost in USD (see :func:`cost_usd_micros` for the exact integer)."""
    return cost_usd_micros(model, input_tokens, output_tokens) / MICROS_PER_USD


def usd_to_micros(usd: float) -> int:
    """USD to micro-dollars, rounding any fraction of a micro up."""
    if usd <= 0:
        return 0
    return math.ceil(Decimal(str(usd)) * MICROS_PER_USD)


def micros_to_usd(micros: int) -> float:
    return micros / MICROS_PER_USD


def credits_for_micros(micros: int) -> int:
    """Credits for a cost in micro-dollars, rounding up: any non-zero cost is at least 1 credit."""
    if micros <= 0:
        return 0
    return -(-micros // MICROS_PER_CREDIT)


def credits_for_cost(usd: float) -> int:
    """Credits for a cost in USD (1 credit = $0.001), rounding up; 0 for 0."""
    if usd <= 0:
        return 0
    # Decimal(str(...)) so 0.003 is exactly 3 credits, not 3.0000000000000004 -> 4.
    return math.ceil(Decimal(str(usd)) * (MICROS_PER_USD // MICROS_PER_CREDIT))
