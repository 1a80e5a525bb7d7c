"""How many statements one gateway stream costs once this replica's lookups are warm (issue 14).

Counted with SQLAlchemy's events, as the chat route's are (:mod:`tests.integration.chat.
test_round_trips`): deterministic, no timing.
"""

from __future__ import annotations

import asyncio
import time

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
        # The account runs once the response has ended: wait for its statement without a
        # query of this test's own among those counted.
        deadline = time.monotonic() + 5
        while "WITH" not in seen:
            assert time.monotonic() < deadline, seen
            await asyncio.sleep(0.01)
    # The lease is the request's only write: one statement, atomic alone, no BEGIN or COMMIT.
    # Once the response has ended, the usage event with the lease's end, one statement too.
    assert seen == ["AUTOCOMMIT", "INSERT", "AUTOCOMMIT", "WITH"], seen
    await accounted(runtime, gateway.ws)
