"""Pasted credential files: a clear error names the missing or invalid field, never a token."""

from __future__ import annotations

import copy
import json

import pytest

from adapters import (
    AdapterConfig,
    BadRequest,
    CredentialFileProvider,
    InvalidCredentialFile,
    ProviderRegistry,
    make_plugin_manager,
)
from tests.adapters.oauth.oauth_support import claude_file, gemini_file, qwen_file

SIM = "http://127.0.0.1:1"


def registry() -> ProviderRegistry:
    return ProviderRegistry(make_plugin_manager(load_entrypoints=False), AdapterConfig())


def provider(provider_id: str) -> CredentialFileProvider:
    found = registry().get(provider_id)
    assert isinstance(found, CredentialFileProvider)
    return found


def without(data: dict[str, object], dotted: str) -> dict[str, object]:
    result = copy.deepcopy(data)
    *parents, leaf = dotted.split(".")
    target = result
    for name in parents:
        inner = target[name]
        assert isinstance(inner, dict)
        target = inner
    del target[leaf]
    return result


@pytest.mark.parametrize(
    ("provider_id", "data", "field"),
    [
        ("gemini_cli", gemini_file(), "access_token"),
        ("gemini_cli", gemini_file(), "refresh_token"),
        ("gemini_cli", gemini_file(), "expiry_date"),
        ("claude_code", claude_file(), "claudeAiOauth"),
        ("claude_code", claude_file(), "claudeAiOauth.accessToken"),
        ("claude_code", claude_file(), "claudeAiOauth.refreshToken"),
        ("claude_code", claude_file(), "claudeAiOauth.expiresAt"),
        ("qwen_code", qwen_file(SIM), "access_token"),
        ("qwen_code", qwen_file(SIM), "refresh_token"),
        ("qwen_code", qwen_file(SIM), "token_type"),
        ("qwen_code", qwen_file(SIM), "resource_url"),
        ("qwen_code", qwen_file(SIM), "expiry_date"),
    ],
)
def test_a_missing_field_is_named_in_the_error(
    provider_id: str, data: dict[str, object], field: str
) -> None:
    text = json.dumps(without(data, field))

    with pytest.raises(InvalidCredentialFile) as caught:
        provider(provider_id).parse_credentials(text)

    assert f"`{field}`" in caught.value.message
    assert caught.value.code == "invalid_credential_file"
    assert isinstance(caught.value, BadRequest)
    assert caught.value.provider == provider_id


@pytest.mark.parametrize(
    ("provider_id", "data", "field", "bad"),
    [
        ("gemini_cli", gemini_file(), "expiry_date", "tomorrow"),
        ("claude_code", claude_file(), "claudeAiOauth", "secret-value-1234567890"),
        ("qwen_code", qwen_file(SIM), "expiry_date", True),
        ("qwen_code", qwen_file(SIM), "access_token", ""),
    ],
)
def test_a_field_of_the_wrong_type_is_named(
    provider_id: str, data: dict[str, object], field: str, bad: object
) -> None:
    data = {**data, field: bad}

    with pytest.raises(InvalidCredentialFile) as caught:
        provider(provider_id).parse_credentials(json.dumps(data))

    assert f"`{field}`" in caught.value.message


@pytest.mark.parametrize("provider_id", ["gemini_cli", "claude_code", "qwen_code"])
def test_errors_never_echo_token_values(provider_id: str) -> None:
    token = "tok-SECRET-abcdefghijklmnopqrstuvwxyz-0123456789"
    broken = {
        "gemini_cli": {"access_token": token, "refresh_token": token},
        "claude_code": {"claudeAiOauth": {"accessToken": token, "refreshToken": token}},
        "qwen_code": {"access_token": token, "refresh_token": token, "token_type": "Bearer"},
    }[provider_id]

    with pytest.raises(InvalidCredentialFile) as caught:
        provider(provider_id).parse_credentials(json.dumps(broken))

    assert token not in str(caught.value)
    assert token not in repr(caught.value)


@pytest.mark.parametrize("text", ["", "not json", "[1, 2]", '"a string"', "{'single': 1}"])
def test_text_that_is_not_a_json_object_is_refused(text: str) -> None:
    with pytest.raises(InvalidCredentialFile) as caught:
        provider("claude_code").parse_credentials(text)

    assert "JSON" in caught.value.message
    assert "~/.claude/.credentials.json" in caught.value.message


def test_a_valid_file_is_returned_whole() -> None:
    data = {**claude_file(), "mcpOAuth": {"server": {"token": "x"}}}

    parsed = provider("claude_code").parse_credentials(json.dumps(data))

    assert parsed == data


def test_providers_declare_opt_in_and_carry_the_terms_warning() -> None:
    providers = {p.id: p for p in registry().providers() if isinstance(p, CredentialFileProvider)}

    assert set(providers) == {"gemini_cli", "claude_code", "qwen_code"}
    for p in providers.values():
        assert p.credential_kinds == ("oauth_credentials",)
        assert p.requires_operator_opt_in is True
    assert "Google's terms forbid" in providers["gemini_cli"].description
    assert "Anthropic's terms forbid" in providers["claude_code"].description
    assert "April 2026" in providers["qwen_code"].description
