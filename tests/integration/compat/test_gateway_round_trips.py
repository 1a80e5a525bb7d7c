"""How many statements one gateway stream costs once this replica's lookups are warm (issue 14).

Counted with SQLAlchemy's events, as the chat route's are (:mod:`tests.integration.chat.
test_round_trips`): deterministic, no timing.
"""

from __future__ import annotations

import openai

from tests.integration.chat.test_round_trips import statements
from tests.integration.compat.conftest import Gateway, accounted
from workspace.runtime import Runtime


async def _stream(client: openai.AsyncOpenAI) -> None:
    stream = await client.chat.completions.create(
        model="openai/gpt-4o", messages=[{"role": "user", "content": "hi"}], stream=True
    )
    async for _ in stream:
        pass


async def test_an_unrecorded_stream_costs_two_autocommitted_statements(
    gateway: Gateway, runtime: Runtime
) -> None:
    client = openai.AsyncOpenAI(
        base_url=f"{gateway.base_url}/v1", api_key=gateway.token, max_retries=0
    )
    await _stream(client)
    await accounted(runtime, gateway.ws)
    with statements() as seen:
        await _stream(client)
        await accounted(runtime, gateway.ws)
    # The lease is the request's only write: one statement, atomic alone, no BEGIN or COMMIT.
    # Once the response has ended, the usage event with the lease's end, one statement too.
    # (The BEGINs after it are this test's own polls, whose SELECTs the counter leaves out.)
    assert seen[:4] == ["AUTOCOMMIT", "INSERT", "AUTOCOMMIT", "WITH"], seen
    assert set(seen[4:]) <= {"BEGIN"}, seen
