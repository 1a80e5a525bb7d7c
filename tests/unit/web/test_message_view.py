"""What the chat page says about one answer and one picker entry (pure view logic, no I/O)."""

from __future__ import annotations

import uuid

import pytest

from workspace.web.conversations import MessageView, PickerModel, model_label, usd


def answer(**fields: object) -> MessageView:
    base: dict[str, object] = {
        "id": uuid.uuid4(),
        "parent_id": uuid.uuid4(),
        "role": "assistant",
        "text": "hi",
        "author": "",
    }
    return MessageView(**(base | fields))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("provider", "model", "label"),
    [
        ("openai", "openai/gpt-4.1", "openai/gpt-4.1"),  # stored answers hold the full ref
        ("openai", "gpt-4.1", "openai/gpt-4.1"),
        (None, "gpt-4.1", "gpt-4.1"),
        ("openai", None, None),
    ],
)
def test_model_label_names_the_provider_once(
    provider: str | None, model: str | None, label: str | None
) -> None:
    assert model_label(provider, model) == label


def test_a_failed_answer_says_the_providers_sentence() -> None:
    view = answer(status="error", error_code="provider_unavailable", error_message="Overloaded.")
    assert view.notice == "This answer failed: Overloaded."
    assert answer(status="error", error_code="no_key").notice == "This answer failed: no_key"


def test_stopped_cut_and_complete_answers() -> None:
    assert (
        answer(status="incomplete", finish_reason="cancelled").notice == "Stopped before the end."
    )
    assert "Cut short" in (answer(status="incomplete").notice or "")
    assert "output limit" in (answer(finish_reason="length").notice or "")
    assert answer(finish_reason="stop").notice is None
    assert answer(role="user", status="error").notice is None


def test_fallback_notice_names_whose_key_failed() -> None:
    view = answer(fallback_from="workspace", fallback_reason="rate_limited")
    assert view.fallback_notice == (
        "The workspace key failed (rate limited); the platform key answered, charged in credits."
    )
    assert answer().fallback_notice is None


def test_cost_is_credits_on_the_platform_and_dollars_on_own_keys() -> None:
    tokens = {"input_tokens": 10, "output_tokens": 20}
    assert answer(key_source="platform", credits=3, **tokens).cost == "3 credits"
    assert answer(key_source="platform", credits=1, **tokens).cost == "1 credit"
    assert answer(key_source="workspace", cost_usd_micros=1234, **tokens).cost == "$0.0012"
    assert answer(key_source="workspace", cost_usd_micros=25_000, **tokens).cost == "$0.03"
    assert answer(key_source="workspace").cost is None  # no usage recorded: nothing to claim
    assert usd(0) == "$0" and usd(50) == "< $0.0001"


def test_latency_reads_in_ms_below_a_second() -> None:
    assert answer(latency_ms=45).latency == "45 ms"
    assert answer(latency_ms=2345).latency == "2.3 s"


def test_picker_estimate_is_in_the_payers_unit() -> None:
    platform = PickerModel("groq/x", "X", "platform", True, 0.5, 1.0, next_turn_micros=2_500)
    own = PickerModel("openai/x", "X", "workspace", True, 2.5, 10.0, next_turn_micros=2_500)
    unknown = PickerModel("compat/x", "X", "personal", True, None, None, None)
    assert platform.estimate == "≈ 3 credits"
    assert own.estimate == "≈ $0.0025"
    assert unknown.estimate == "price unknown"
    assert not PickerModel("a/b", "B", None, True).usable
    assert PickerModel("a/b", "B", "workspace", False).paid_by == "not allowed by policy"
