"""Canonical types: secrets never print, credentials never print their tokens."""

from __future__ import annotations

import pickle

import pytest

from adapters.types import ApiKeyCredential, ModelInfo, OAuthCredential, Secret, fingerprint

KEY = "sk-proj-abcdefghijklmnopqrstuvwxyz0123a1b2"


def test_fingerprint_shows_first_three_and_last_four() -> None:
    assert Secret(KEY).fingerprint() == "sk-...a1b2"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("abcdefghij", "...ij"), ("abcdefgh", "...gh"), ("abc", "..."), ("", "...")],
)
def test_short_secrets_show_at_most_two_characters(value: str, expected: str) -> None:
    assert fingerprint(value) == expected


def test_secret_is_masked_in_repr_str_format_and_containers() -> None:
    secret = Secret(KEY)
    credential = ApiKeyCredential(secret, base_url="https://example.com/v1")

    for rendered in (repr(secret), str(secret), f"{secret}", f"{secret:>30}", repr(credential)):
        assert KEY not in rendered
        assert "abcdefghijklmnop" not in rendered
    assert secret.reveal() == KEY


def test_secret_refuses_pickling() -> None:
    with pytest.raises(TypeError):
        pickle.dumps(Secret(KEY))


def test_secrets_compare_by_value() -> None:
    assert Secret(KEY) == Secret(KEY)
    assert Secret(KEY) != Secret(KEY + "x")
    assert len({Secret(KEY), Secret(KEY)}) == 1


def test_oauth_credential_never_prints_tokens() -> None:
    credential = OAuthCredential({"access_token": "ya29.secret-token", "refresh_token": "1//rt"})

    assert "ya29" not in repr(credential)
    assert "1//rt" not in str(credential)
    assert "access_token" in repr(credential)


def test_model_ref_is_provider_slash_id() -> None:
    info = ModelInfo("openai", "gpt-4o", "GPT-4o", 128_000, 16_384)

    assert info.ref == "openai/gpt-4o"
    assert info.input_price_per_mtok is None
