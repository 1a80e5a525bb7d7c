"""The official ``anthropic`` SDK pointed at Switchboard: ``/v1/messages`` as against Anthropic."""

from __future__ import annotations

import anthropic
import pytest

from tests.integration.compat.conftest import PNG_1X1, Gateway

TOOL = {
    "name": "lookup",
    "description": "Look something up.",
    "input_schema": {"type": "object", "properties": {"query": {"type": "string"}}},
}


def _client(gateway: Gateway, token: str | None = None) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(
        base_url=gateway.base_url, api_key=token or gateway.token, max_retries=0
    )


async def test_message_from_another_provider(gateway: Gateway) -> None:
    message = await _client(gateway).messages.create(
        model="openai/gpt-4o",
        max_tokens=300,
        system="Be brief.",
        messages=[{"role": "user", "content": "hello from claude code"}],
    )
    text = message.content[0].text  # type: ignore[union-attr]
    assert text.startswith("[openai/gpt-4o]") and "system=yes" in text
    assert message.stop_reason == "end_turn"
    assert message.usage.output_tokens > 0


async def test_streamed_message(gateway: Gateway) -> None:
    async with _client(gateway).messages.stream(
        model="anthropic/claude-sonnet-4-6",
        max_tokens=300,
        messages=[{"role": "user", "content": "stream it"}],
    ) as stream:
        text = "".join([piece async for piece in stream.text_stream])
        final = await stream.get_final_message()
    assert text.startswith("[anthropic/claude-sonnet-4-6]") and "last_user=stream it" in text
    assert final.stop_reason == "end_turn" and final.usage.output_tokens > 0


async def test_tool_round_trip_streamed(gateway: Gateway) -> None:
    client = _client(gateway)
    asked = {"role": "user", "content": "use the tool for badgers"}
    async with client.messages.stream(
        model="openai/gpt-4o", max_tokens=300, tools=[TOOL], messages=[asked]
    ) as stream:
        first = await stream.get_final_message()
    assert first.stop_reason == "tool_use"
    use = next(b for b in first.content if b.type == "tool_use")
    assert use.name == "lookup" and use.input == {"query": "use the tool for badgers"}
    second = await client.messages.create(
        model="openai/gpt-4o",
        max_tokens=300,
        tools=[TOOL],
        messages=[
            asked,
            {"role": "assistant", "content": [b.model_dump() for b in first.content]},
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": use.id, "content": "Badgers dig."}
                ],
            },
        ],
    )
    assert "tool_result=Badgers dig." in second.content[0].text  # type: ignore[union-attr]


async def test_an_image_block_reaches_the_model(gateway: Gateway) -> None:
    message = await _client(gateway).messages.create(
        model="anthropic/claude-sonnet-4-6",
        max_tokens=300,
        messages=[
            {
                "role": "user",
                "content": [
                    {
                        "type": "image",
                        "source": {"type": "base64", "media_type": "image/png", "data": PNG_1X1},
                    },
                    {"type": "text", "text": "describe"},
                ],
            }
        ],
    )
    assert "images=1" in message.content[0].text  # type: ignore[union-attr]


async def test_error_in_anthropic_format_with_our_code(gateway: Gateway) -> None:
    with pytest.raises(anthropic.UnprocessableEntityError) as caught:
        await _client(gateway).messages.create(
            model="anthropic/no-such-model",
            max_tokens=10,
            messages=[{"role": "user", "content": "hi"}],
        )
    body = caught.value.body
    assert isinstance(body, dict) and body["type"] == "error"
    assert body["error"]["code"] == "model_not_found"
    assert body["error"]["type"] == "invalid_request_error"


async def test_bad_token_is_anthropic_401(gateway: Gateway) -> None:
    with pytest.raises(anthropic.AuthenticationError) as caught:
        await _client(gateway, "sb_wrong").messages.create(
            model="openai/gpt-4o", max_tokens=10, messages=[{"role": "user", "content": "hi"}]
        )
    assert caught.value.body["error"]["code"] == "not_authenticated"  # type: ignore[index]
