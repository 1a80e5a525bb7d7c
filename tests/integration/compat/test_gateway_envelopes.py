"""Every refusal under ``/v1`` is in the client's own error envelope with our ``code``: a
malformed body, a body that fails validation, an unknown path, a wrong method; checked raw (as
curl sees it) and through the official SDKs. Outside ``/v1`` the app keeps problem+json."""

from __future__ import annotations

import anthropic
import httpx
import openai
import pytest

from tests.integration.compat.conftest import Gateway

OPENAI_PATHS = ("/v1/chat/completions",)
ANTHROPIC_PATHS = ("/v1/messages",)


def _raw(gateway: Gateway) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=gateway.base_url,
        headers={"Authorization": f"Bearer {gateway.token}", "Content-Type": "application/json"},
        timeout=30,
    )


def _openai_error(resp: httpx.Response) -> dict[str, object]:
    assert resp.headers["content-type"].startswith("application/json"), resp.text
    error = resp.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}, error
    assert isinstance(error, dict)
    return error


def _anthropic_error(resp: httpx.Response) -> dict[str, object]:
    assert resp.headers["content-type"].startswith("application/json"), resp.text
    body = resp.json()
    assert body["type"] == "error", body
    error = body["error"]
    assert isinstance(error, dict) and error["type"] and error["message"]
    return error


async def test_a_malformed_body_is_in_each_apis_envelope(gateway: Gateway) -> None:
    async with _raw(gateway) as http:
        chat = await http.post("/v1/chat/completions", content=b"{not json")
        messages = await http.post("/v1/messages", content=b"{not json")
    assert chat.status_code == messages.status_code == 400
    assert _openai_error(chat)["code"] == "bad_request"
    assert _anthropic_error(messages)["code"] == "bad_request"


async def test_a_validation_failure_names_the_field_and_what_is_wrong(gateway: Gateway) -> None:
    async with _raw(gateway) as http:
        chat = await http.post("/v1/chat/completions", json={"model": 3, "messages": []})
        messages = await http.post("/v1/messages", json={"model": "anthropic/claude-haiku-4-5"})
    assert chat.status_code == messages.status_code == 400
    error = _openai_error(chat)
    assert error["code"] == "validation_error"
    assert error["param"] == "model"
    assert error["type"] == "invalid_request_error"
    assert "str" in str(error["message"])  # what was expected, not only "not valid"
    assert _anthropic_error(messages)["code"] == "validation_error"


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/v1/nothing-here", 404, "not_found"),
        ("POST", "/v1/embeddings", 404, "not_found"),
        ("DELETE", "/v1/models", 405, "method_not_allowed"),
    ],
)
async def test_an_unknown_v1_path_or_method_is_openais_envelope(
    gateway: Gateway, method: str, path: str, status: int, code: str
) -> None:
    async with _raw(gateway) as http:
        resp = await http.request(method, path)
    assert resp.status_code == status
    assert _openai_error(resp)["code"] == code


async def test_an_unknown_path_under_messages_is_anthropics_envelope(gateway: Gateway) -> None:
    async with _raw(gateway) as http:
        resp = await http.post("/v1/messages/batches", json={})
    assert resp.status_code == 404
    error = _anthropic_error(resp)
    assert error["code"] == "not_found"
    assert error["type"] == "not_found_error"


async def test_outside_the_gateway_errors_stay_problem_json(gateway: Gateway) -> None:
    async with _raw(gateway) as http:
        resp = await http.get("/api/nothing-here")
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["code"] == "not_found"


async def test_the_openai_sdk_reads_our_code_from_these_errors(gateway: Gateway) -> None:
    client = openai.AsyncOpenAI(
        base_url=f"{gateway.base_url}/v1", api_key=gateway.token, max_retries=0
    )
    with pytest.raises(openai.NotFoundError) as missing:
        await client.embeddings.create(model="openai/text-embedding-3-small", input="hi")
    assert missing.value.code == "not_found"
    with pytest.raises(openai.BadRequestError) as invalid:
        await client.chat.completions.create(
            model="openai/gpt-4o",
            messages=[{"role": "user", "content": "hi"}],
            extra_body={"temperature": "hot"},
        )
    assert invalid.value.code == "validation_error"
    assert invalid.value.param == "temperature"


async def test_the_anthropic_sdk_reads_our_code_from_these_errors(gateway: Gateway) -> None:
    client = anthropic.AsyncAnthropic(
        base_url=gateway.base_url, api_key=gateway.token, max_retries=0
    )
    with pytest.raises(anthropic.NotFoundError) as missing:
        await client.messages.count_tokens(
            model="anthropic/claude-haiku-4-5", messages=[{"role": "user", "content": "hi"}]
        )
    body = missing.value.body
    assert isinstance(body, dict) and body["error"]["code"] == "not_found"
    with pytest.raises(anthropic.BadRequestError) as invalid:
        await client.messages.create(
            model="anthropic/claude-haiku-4-5",
            max_tokens=10,
            messages=[{"role": "user", "content": "hi"}],
            extra_body={"max_tokens": "ten"},
        )
    body = invalid.value.body
    assert isinstance(body, dict) and body["error"]["code"] == "validation_error"
    assert body["error"]["param"] == "max_tokens"
