"""The prompting value: a system prompt becomes one leading system message, and the output cap
is the conversation's within the model's (and the reserve once the history was cut)."""

from __future__ import annotations

from adapters import Message, ModelInfo, Text
from workspace.chat.context import reserved_output
from workspace.chat.turns import prepare_lane
from workspace.presets.prompting import Prompting

MODEL = ModelInfo("openai", "m", "M", context_window=2_000, max_output=1_000)
HELLO = (Message("user", (Text("hello"),)),)


def test_no_system_prompt_adds_no_message() -> None:
    assert Prompting().system_messages() == ()
    assert Prompting(system_prompt="   ").system_messages() == ()


def test_the_system_prompt_leads_the_history_sent() -> None:
    lane = prepare_lane("openai/m", MODEL, HELLO, Prompting(system_prompt=" Be terse. "))
    assert lane.messages == (Message("system", (Text("Be terse."),)), *HELLO)


def test_parameters_ride_on_the_lane() -> None:
    lane = prepare_lane("openai/m", MODEL, HELLO, Prompting(temperature=0.2, top_p=0.5))
    assert (lane.temperature, lane.top_p, lane.max_output_tokens) == (0.2, 0.5, None)


def test_the_output_cap_stays_within_the_models_limit() -> None:
    assert (
        prepare_lane("openai/m", MODEL, HELLO, Prompting(max_output_tokens=300)).max_output_tokens
        == 300
    )
    assert (
        prepare_lane("openai/m", MODEL, HELLO, Prompting(max_output_tokens=5_000)).max_output_tokens
        == 1_000
    )


def test_a_trimmed_history_keeps_the_reserve_as_the_cap() -> None:
    long_turns = tuple(
        Message(role, (Text("x" * 1_500),)) for _ in range(4) for role in ("user", "assistant")
    )
    lane = prepare_lane("openai/m", MODEL, (*long_turns, *HELLO), Prompting(max_output_tokens=900))
    assert lane.turns_dropped > 0
    assert lane.max_output_tokens == min(900, reserved_output(MODEL))
