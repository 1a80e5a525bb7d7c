"""The CLI's and the client's key order, as a table: flag > environment > keychain > server."""

from __future__ import annotations

import pytest

from switchboard.client.calls import KeyPicker
from switchboard.client.keys import choose_request_key, fingerprint

FLAG, ENV, STORED = "sk-from-flag-000001", "sk-from-env-0000002", "sk-from-chain-00003"


@pytest.mark.parametrize(
    ("flag", "env", "stored", "expected"),
    [
        (FLAG, ENV, STORED, ("flag", FLAG)),
        (None, ENV, STORED, ("environment", ENV)),
        (None, None, STORED, ("keychain", STORED)),
        (None, None, None, None),  # the server's order decides
        (FLAG, None, None, ("flag", FLAG)),
        (FLAG, None, STORED, ("flag", FLAG)),
        (None, ENV, None, ("environment", ENV)),
        ("  ", ENV, None, ("environment", ENV)),  # a blank flag is no flag
    ],
)
def test_key_order(
    flag: str | None, env: str | None, stored: str | None, expected: tuple[str, str] | None
) -> None:
    environ = {"OPENAI_API_KEY": env} if env else {}
    chain = {"key:openai": stored} if stored else {}
    chosen = choose_request_key("openai", flag=flag, environ=environ, stored=chain.get)
    assert (None if chosen is None else (chosen.source, chosen.secret)) == expected


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"GEMINI_API_KEY": "g1-key-value-0001", "GOOGLE_API_KEY": "g2"}, "g1-key-value-0001"),
        ({"GOOGLE_API_KEY": "g2-key-value-0002"}, "g2-key-value-0002"),
        ({"OPENAI_API_KEY": "not-for-gemini"}, None),
    ],
)
def test_gemini_reads_either_variable(environ: dict[str, str], expected: str | None) -> None:
    chosen = choose_request_key("gemini", flag=None, environ=environ, stored=lambda _: None)
    assert (chosen.secret if chosen else None) == expected


def test_a_compare_sends_the_first_models_key_that_exists() -> None:
    picker = KeyPicker({}, {"ANTHROPIC_API_KEY": "sk-ant-env-000004"}, lambda _: None)
    chosen = picker.for_models(["openai/gpt-4o", "anthropic/claude-haiku-4-5"])
    assert chosen is not None and (chosen.provider, chosen.source) == ("anthropic", "environment")


def test_the_secret_never_shows_in_repr() -> None:
    chosen = choose_request_key("openai", flag=FLAG, environ={}, stored=lambda _: None)
    assert FLAG not in repr(chosen)
    assert chosen is not None and chosen.fingerprint == "sk-...0001"
    assert fingerprint("short") == "..."
