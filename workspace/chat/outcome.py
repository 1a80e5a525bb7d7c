"""What one lane produced: the answer's final state, for its stored row and its ``message.end``.

The stored answer and the event that ends its stream are read from the same :class:`LaneOutcome`,
so what a reload shows and what the stream said cannot disagree.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from adapters import Reasoning, ReasoningSignature, Text
from workspace.calls.gateway import ModelCall
from workspace.calls.request import CallOutcome
from workspace.chat.events import NO_OWN_KEY, NO_OWN_KEY_REASON, MessageEnd, usage_report
from workspace.chat.parts import dump_parts, storable
from workspace.db.columns import utcnow
from workspace.errors import AppError


@dataclass
class LaneOutcome:
    """What one lane produced, filled while it runs; stored, then reported by ``message.end``.

    Text, usage, finish reason, provider error and timings are the call's own
    (:class:`~workspace.calls.request.CallOutcome`); a lane adds why it has no call (``refused``),
    whether the client went away, and the reasoning it keeps but does not stream.
    """

    call: ModelCall | None
    refused: AppError | None = None
    cancelled: bool = False
    reasoning: list[str] = field(default_factory=list)
    signature: ReasoningSignature | None = None
    # Its final state went into the call's accounting transaction (see lanes).
    stored_when_accounted: bool = False

    @property
    def result(self) -> CallOutcome | None:
        return self.call.outcome if self.call else None

    def status(self) -> tuple[str, str | None, str | None]:
        """The answer's status, error code and error sentence."""
        result = self.result
        if self.refused is not None:
            return "error", self.refused.code, self.refused.detail
        if result is None:
            return "error", "internal_error", "The answer could not be produced."
        if result.error_code:
            return "error", result.error_code, result.error_message
        if self.cancelled or not result.finish_reason:
            return "incomplete", None, None
        return "complete", None, None

    def parts(self) -> list[Reasoning | Text]:
        parts: list[Reasoning | Text] = []
        if self.reasoning:
            signature = self.signature
            parts.append(
                Reasoning(
                    "".join(self.reasoning),
                    signature.signature if signature else None,
                    signature.provider if signature else None,
                )
            )
        if self.result is not None and self.result.text:
            parts.append(Text(self.result.text))
        return parts

    def platform_notice(self) -> tuple[str | None, str | None]:
        """Why the platform key served: a failed own key (fallback), or no own key at all."""
        call = self.call
        if call is not None and call.fallback is not None:
            return call.fallback.from_source, call.fallback.reason
        if call is not None and call.key_source == "platform":
            return NO_OWN_KEY, NO_OWN_KEY_REASON
        return None, None

    def stored_fields(self) -> dict[str, object]:
        """The answer's columns once the lane has ended."""
        result, call = self.result, self.call
        status, error_code, error_message = self.status()
        usage = result.usage if result else None
        fallback_from, fallback_reason = self.platform_notice()
        finish_reason = result.finish_reason if result else None
        return {
            "parts": dump_parts(self.parts()),
            "key_source": call.key_source if call else None,
            "input_tokens": usage.input_tokens if usage else None,
            "output_tokens": usage.output_tokens if usage else None,
            "latency_ms": result.latency_ms if result else None,
            "first_token_ms": result.first_token_ms if result else None,
            "finish_reason": "cancelled" if result and self.cancelled else finish_reason,
            "status": status,
            "error_code": error_code,
            "error_message": storable(error_message),
            "fallback_from": fallback_from,
            "fallback_reason": fallback_reason,
            "cost_usd_micros": result.cost_usd_micros if result else 0,
            "credits_charged": result.credits_charged if result else 0,
            "checkpoint_at": utcnow(),
        }

    def end(self, message_id: uuid.UUID, lane: int | None) -> MessageEnd:
        result = self.result
        return MessageEnd(
            message_id=str(message_id),
            status=self.status()[0],
            finish_reason=result.finish_reason if result else None,
            usage=usage_report(result.usage) if result and result.usage else None,
            credits=result.credits_charged if result else 0,
            cost_usd_micros=result.cost_usd_micros if result else 0,
            latency_ms=result.latency_ms if result else None,
            first_token_ms=result.first_token_ms if result else None,
            lane=lane,
        )
