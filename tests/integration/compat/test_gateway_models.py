"""``GET /v1/models/{provider/model}``: the SDKs' ``models.retrieve`` returns one usable model
(with who would pay), a model the workspace cannot use is a 404 in the caller's envelope, and
the list at ``/v1/models`` is unaffected."""

from __future__ import annotations

import anthropic
import openai
import pytest

from tests.integration.compat.conftest import Gateway, workspace_token


def _openai(gateway: Gateway, token: str | None = None) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(
        base_url=f"{gateway.base_url}/v1", api_key=token or gateway.token, max_retries=0
    )


async def test_the_openai_sdk_retrieves_one_model(gateway: Gateway) -> None:
    client = _openai(gateway)
    model = await client.models.retrieve("openai/gpt-4o")
    assert model.id == "openai/gpt-4o"
    assert model.owned_by == "openai"
    assert (model.model_extra or {})["key_source"] == "workspace"
    listed = [m.id async for m in client.models.list()]
    assert "openai/gpt-4o" in listed and len(listed) > 1


async def test_the_anthropic_sdk_retrieves_one_model(gateway: Gateway) -> None:
    client = anthropic.AsyncAnthropic(
        base_url=gateway.base_url, api_key=gateway.token, max_retries=0
    )
    model = await client.models.retrieve("anthropic/claude-sonnet-4-6")
    assert model.id == "anthropic/claude-sonnet-4-6"
    assert model.type == "model"


async def test_a_models_token_may_retrieve(gateway: Gateway) -> None:
    token = await workspace_token(gateway.user, gateway.ws, scope="models")
    model = await _openai(gateway, token).models.retrieve("anthropic/claude-sonnet-4-6")
    assert model.id == "anthropic/claude-sonnet-4-6"


@pytest.mark.parametrize("model_id", ["openai/no-such-model", "gemini/gemini-2.5-flash"])
async def test_a_model_not_usable_here_is_404(gateway: Gateway, model_id: str) -> None:
    """Unknown, or known but without a key to pay for it in this workspace."""
    with pytest.raises(openai.NotFoundError) as caught:
        await _openai(gateway).models.retrieve(model_id)
    assert caught.value.code == "not_found"
