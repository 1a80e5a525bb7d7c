"""The platform hold is an upper bound of the call's cost (pure arithmetic, no I/O)."""

from __future__ import annotations

import pytest

from adapters.types import Image, Message, ModelInfo, Text
from workspace.billing import plans
from workspace.billing.holds import (
    FRAMING_TOKENS_PER_MESSAGE,
    IMAGE_TOKENS_BOUND,
    PriceUnknown,
    hold_credits,
    input_tokens_bound,
    output_cap,
)

MODEL = ModelInfo(
    provider="openai",
    id="gpt-4o",
    display_name="GPT-4o",
    context_window=128_000,
    max_output=16_384,
    input_price_per_mtok=2.50,
    output_price_per_mtok=10.00,
)


def test_input_bound_counts_bytes_not_characters() -> None:
    text = "héllo wörld 漢字"  # multi-byte characters count for every byte
    bound = input_tokens_bound((Message("user", (Text(text),)),))
    assert bound == len(text.encode()) + FRAMING_TOKENS_PER_MESSAGE
    assert bound > len(text) // 4  # far above the usual estimate: it is a bound, not a guess


def test_images_count_their_flat_ceiling() -> None:
    message = Message("user", (Text("see"), Image("image/png", b"\x89PNG")))
    assert input_tokens_bound((message,)) == 3 + IMAGE_TOKENS_BOUND + FRAMING_TOKENS_PER_MESSAGE


@pytest.mark.parametrize(
    ("requested", "platform_max", "cap"),
    [(None, 4096, 4096), (100, 4096, 100), (50_000, 4096, 4096), (None, 99_999, 16_384)],
)
def test_output_cap_is_the_smallest_limit(
    requested: int | None, platform_max: int, cap: int
) -> None:
    assert output_cap(MODEL, requested, platform_max) == cap


def test_hold_covers_every_cost_the_call_can_reach() -> None:
    messages = (Message("user", (Text("x" * 10_000),)),)
    hold = hold_credits(MODEL, messages, 4096)
    worst = plans.cost_usd_micros(MODEL, input_tokens_bound(messages), 4096)
    assert hold == plans.credits_for_micros(worst)
    # Whatever the provider reports within the bounds costs at most the hold.
    for tokens_in, tokens_out in ((2_500, 4096), (10_016, 0), (10_016, 4096)):
        cost = plans.cost_usd_micros(MODEL, tokens_in, tokens_out)
        assert plans.credits_for_micros(cost) <= hold


def test_a_model_without_a_price_cannot_be_held() -> None:
    unpriced = ModelInfo("compat", "local", "Local", 4096, 2048)
    with pytest.raises(PriceUnknown):
        hold_credits(unpriced, (), 100)
