"""A lane's outcome: the status its answer is stored with (and its stream ends with), and why the
platform key paid."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import cast

import pytest

from adapters import Reasoning, ReasoningSignature, Text
from workspace.calls.gateway import ModelCall
from workspace.calls.request import CallOutcome, FallbackNotice
from workspace.chat.outcome import LaneOutcome
from workspace.errors import InvalidInput


def call(
    key_source: str = "workspace", fallback: FallbackNotice | None = None, **outcome: object
) -> ModelCall:
    fake = SimpleNamespace(
        outcome=CallOutcome(**outcome),  # type: ignore[arg-type]
        key_source=key_source,
        fallback=fallback,
    )
    return cast(ModelCall, fake)


@pytest.mark.parametrize(
    ("lane", "status"),
    [
        (LaneOutcome(None, refused=InvalidInput("No.")), ("error", InvalidInput.code, "No.")),
        (LaneOutcome(None), ("error", "internal_error", "The answer could not be produced.")),
        (
            LaneOutcome(
                call(error_code="overloaded", error_message="Busy.", finish_reason="error")
            ),
            ("error", "overloaded", "Busy."),
        ),
        (
            LaneOutcome(call(text="par", finish_reason="stop"), cancelled=True),
            ("incomplete", None, None),
        ),
        (LaneOutcome(call(text="par")), ("incomplete", None, None)),
        (LaneOutcome(call(text="all", finish_reason="stop")), ("complete", None, None)),
    ],
    ids=[
        "refused before the call",
        "no call and no reason",
        "the provider failed",
        "the client went away",
        "the stream ended without a finish",
        "finished",
    ],
)
def test_status_says_how_the_answer_ended(
    lane: LaneOutcome, status: tuple[str, str | None, str | None]
) -> None:
    assert lane.status() == status


def test_a_cancelled_answer_is_stored_as_cancelled() -> None:
    fields = LaneOutcome(call(text="par", finish_reason="stop"), cancelled=True).stored_fields()
    assert (fields["status"], fields["finish_reason"]) == ("incomplete", "cancelled")


@pytest.mark.parametrize(
    ("lane", "notice"),
    [
        (LaneOutcome(None), (None, None)),
        (LaneOutcome(call("workspace")), (None, None)),
        (LaneOutcome(call("platform")), ("none", "no_own_key")),
        (
            LaneOutcome(call("platform", FallbackNotice("personal", "rate_limited"))),
            ("personal", "rate_limited"),
        ),
    ],
    ids=["no call", "own key", "no own key", "own key failed"],
)
def test_platform_notice_says_why_credits_paid(
    lane: LaneOutcome, notice: tuple[str | None, str | None]
) -> None:
    assert lane.platform_notice() == notice


def test_reasoning_is_kept_before_the_text_with_its_signature() -> None:
    lane = LaneOutcome(
        call(text="answer"),
        reasoning=["think", "ing"],
        signature=ReasoningSignature("sig", "anthropic"),
    )
    assert lane.parts() == [Reasoning("thinking", "sig", "anthropic"), Text("answer")]


def test_the_end_event_reports_the_calls_figures() -> None:
    lane = LaneOutcome(
        call(text="a", finish_reason="stop", credits_charged=4, cost_usd_micros=3500)
    )
    end = lane.end(uuid.UUID(int=1), 2)
    assert (end.status, end.credits, end.cost_usd_micros, end.lane) == ("complete", 4, 3500, 2)
