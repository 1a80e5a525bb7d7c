"""Fitting a history into a model's window: oldest whole turns go first, system messages and the
latest turn always stay, and a latest turn too large on its own is refused."""

from __future__ import annotations

import pytest

from adapters import Image, Message, ModelInfo, Text, ToolCall, ToolResult
from workspace.chat.context import (
    IMAGE_TOKENS,
    MAX_RESERVED_OUTPUT,
    MESSAGE_OVERHEAD_TOKENS,
    MIN_RESERVED_OUTPUT,
    DoesNotFit,
    estimate_message,
    fit,
    reserved_output,
    split_turns,
)


def model(window: int, max_output: int = 0) -> ModelInfo:
    return ModelInfo(
        provider="test", id="m", display_name="M", context_window=window, max_output=max_output
    )


def msg(role: str, text: str) -> Message:
    return Message(role, (Text(text),))  # type: ignore[arg-type]


def turn(n: int, chars: int = 40) -> tuple[Message, Message]:
    return msg("user", f"{n}" * chars), msg("assistant", f"{n}" * chars)


@pytest.mark.parametrize(
    ("message", "tokens"),
    [
        (msg("user", ""), MESSAGE_OVERHEAD_TOKENS),
        (msg("user", "abcd"), 1 + MESSAGE_OVERHEAD_TOKENS),
        (msg("user", "abcde"), 2 + MESSAGE_OVERHEAD_TOKENS),
        (Message("user", (Image("image/png", b"x"),)), IMAGE_TOKENS + MESSAGE_OVERHEAD_TOKENS),
        (
            Message("tool", (ToolResult("c1", "abcd", "efgh"),)),
            2 + MESSAGE_OVERHEAD_TOKENS,
        ),
        (
            Message("assistant", (ToolCall("c1", "ab", {}),)),
            1 + MESSAGE_OVERHEAD_TOKENS,
        ),
    ],
    ids=["empty", "four chars", "rounds up", "image", "tool result", "tool call"],
)
def test_estimate_is_chars_over_four_rounded_up_plus_overheads(
    message: Message, tokens: int
) -> None:
    assert estimate_message(message) == tokens


@pytest.mark.parametrize(
    ("window", "max_output", "reserve"),
    [
        (1_000, 0, MIN_RESERVED_OUTPUT),
        (16_000, 0, 2_000),
        (1_000_000, 0, MAX_RESERVED_OUTPUT),
        (16_000, 1_000, 1_000),
    ],
    ids=["small window: the floor", "an eighth", "large window: the ceiling", "capped by max"],
)
def test_reserved_output_is_an_eighth_within_bounds(
    window: int, max_output: int, reserve: int
) -> None:
    assert reserved_output(model(window, max_output)) == reserve


def test_turns_start_at_each_user_message_and_skip_system() -> None:
    system, (u1, a1), (u2, a2) = msg("system", "s"), turn(1), turn(2)
    assert split_turns((system, u1, a1, u2, a2)) == [[u1, a1], [u2, a2]]


def test_a_history_starting_with_an_answer_opens_a_turn_with_it() -> None:
    a0, u1 = msg("assistant", "a"), msg("user", "u")
    assert split_turns((a0, u1)) == [[a0], [u1]]


def test_a_history_that_fits_is_sent_whole() -> None:
    messages = (*turn(1), *turn(2), msg("user", "now"))
    fitted = fit(messages, model(100_000))
    assert fitted.messages == messages
    assert (fitted.turns_dropped, fitted.messages_dropped) == (0, 0)


def test_oldest_whole_turns_are_dropped_first_and_system_stays() -> None:
    system = msg("system", "be brief")
    old, middle, latest = turn(1, 2000), turn(2, 40), msg("user", "now")
    # Window 1000, reserve 256: 744 tokens; the old turn alone is ~1000.
    fitted = fit((system, *old, *middle, latest), model(1_000))
    assert fitted.messages == (system, *middle, latest)
    assert (fitted.turns_dropped, fitted.messages_dropped) == (1, 2)
    assert fitted.estimated_tokens <= fitted.budget == 1_000 - MIN_RESERVED_OUTPUT


def test_the_latest_turn_is_never_dropped_and_is_refused_when_too_large() -> None:
    with pytest.raises(DoesNotFit) as refused:
        fit((*turn(1), msg("user", "x" * 10_000)), model(1_000))
    assert refused.value.budget == 1_000 - MIN_RESERVED_OUTPUT
    assert refused.value.tokens > refused.value.budget
