"""APIs in other vendors' formats: OpenAI's ``/v1/chat/completions`` and ``/v1/models``,
Anthropic's ``/v1/messages``, so existing clients and SDKs can point at Switchboard.

Each request is translated into the canonical vocabulary (:mod:`adapters`) and goes through the
same model call as chat (:func:`workspace.calls.gateway.start_call`: policy, budgets, key
resolution, credit holds, usage, audit); the answer is translated back into the client's format,
errors included (:mod:`.errors`). Callers are workspace API tokens (:mod:`.caller`); a header
can record the exchange as a conversation (:mod:`.conversation_log`).
"""
