"""Plans and the price of a call: pure functions, no I/O."""

from __future__ import annotations

import pytest

from adapters.types import ModelInfo
from workspace.billing.plans import (
    PLANS,
    cost_usd,
    cost_usd_micros,
    credits_for_cost,
    credits_for_micros,
    plan_named,
    usd_to_micros,
)


@pytest.mark.parametrize(
    ("usd", "credits"),
    [
        (0, 0),
        (0.0, 0),
        (-1.0, 0),
        (0.001, 1),
        (0.003, 3),  # not 4: 0.003 * 1000 is 3.0000000000000004 in binary floating point
        (0.0010001, 2),
        (0.0000001, 1),  # any non-zero cost is at least one credit
        (1.0, 1000),
        (12.3456, 12346),
    ],
)
def test_credits_for_cost_rounds_up(usd: float, credits: int) -> None:
    assert credits_for_cost(usd) == credits


def test_credits_for_micros_rounds_up() -> None:
    assert [credits_for_micros(m) for m in (0, 1, 999, 1000, 1001)] == [0, 1, 1, 1, 2]


def test_plan_table() -> None:
    assert set(PLANS) == {"free", "pro", "team"}
    credits = [PLANS[n].monthly_credits for n in ("free", "pro", "team")]
    assert credits == sorted(credits) and credits[0] > 0
    assert PLANS["free"].platform_models


def test_unknown_plan_gets_the_free_plan() -> None:
    assert plan_named("enterprise-typo") is PLANS["free"]


def _model(inp: float | None, out: float | None) -> ModelInfo:
    return ModelInfo("openai", "m", "M", 1000, 100, ("text",), inp, out)


def test_cost_uses_price_per_million_tokens() -> None:
    model = _model(2.5, 10.0)
    # 1000 * 2.5 / 1M + 500 * 10 / 1M = 0.0025 + 0.005
    assert cost_usd_micros(model, 1000, 500) == 7500
    assert cost_usd(model, 1000, 500) == pytest.approx(0.0075)
    assert credits_for_cost(cost_usd(model, 1000, 500)) == 8


def test_unknown_price_costs_nothing() -> None:
    assert cost_usd_micros(_model(None, None), 10_000, 10_000) == 0
    assert cost_usd_micros(_model(1.0, None), 1_000_000, 10_000) == 1_000_000


def test_usd_to_micros_round_trips_exactly() -> None:
    assert usd_to_micros(cost_usd(_model(3.0, 15.0), 1234, 567)) == 3 * 1234 + 15 * 567
    assert usd_to_micros(0) == 0
