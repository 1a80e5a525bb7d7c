"""The body guard's rules, as pure functions on bytes (the HTTP side is in
tests/integration/server/test_hostile_bodies.py)."""

from __future__ import annotations

import time

import pytest

from workspace.errors import InvalidCharacters, InvalidEncoding, TooDeeplyNested
from workspace.server.body_guard import (
    check_json_body,
    check_target,
    check_url_encoded_body,
    exceeds_depth,
    has_json_nul,
)


@pytest.mark.parametrize(
    ("text", "max_depth", "too_deep"),
    [
        ("[[[]]]", 3, False),
        ("[[[[]]]]", 3, True),
        ('{"a": {"b": {"c": 1}}}', 3, False),
        ('{"a": {"b": {"c": {}}}}', 3, True),
        ('{"name": "[[[[[[[[{{{{{{{{"}', 1, False),  # brackets in a string do not count
        ('{"name": "\\"[[[[[[[["}', 1, False),  # nor after an escaped quote
        ("[[],[],[],[],[],[],[],[]]", 2, False),  # wide is not deep
    ],
)
def test_depth_counts_nesting_outside_strings(text: str, max_depth: int, too_deep: bool) -> None:
    assert exceeds_depth(text, max_depth) is too_deep


def test_a_200000_deep_array_is_refused_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(TooDeeplyNested) as caught:
        check_json_body(b"[" * 200_000 + b"]" * 200_000, 64)
    assert time.perf_counter() - started < 0.5
    assert caught.value.code == "too_deeply_nested"
    assert "64" in caught.value.detail


@pytest.mark.parametrize(
    "text",
    [
        "[" * 65 + '"' + '\\"' * 300_000,  # one unterminated string full of escaped quotes
        "[" * 65 + '"' * 1_000_000,
        '"' + "\\" * 1_000_000 + 'u0000"',
    ],
    ids=["escaped quotes", "bare quotes", "backslashes"],
)
def test_the_checks_stay_linear_on_adversarial_text(text: str) -> None:
    """A pattern that insisted on a closing quote would rescan from every quote: minutes."""
    started = time.perf_counter()
    exceeds_depth(text, 64)
    has_json_nul(text)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("text", "nul"),
    [
        ('{"name": "a\\u0000b"}', True),
        ('{"name": "\\\\\\u0000"}', True),  # an escaped backslash, then an escaped NUL
        ('{"name": "\\\\u0000"}', False),  # a backslash followed by the letters u0000
        ('{"name": "u0000"}', False),
        ('{"name\\u0000": "x"}', True),  # in a key too
        ('{"name": "a\x00b"}', True),
    ],
)
def test_nul_is_found_escaped_or_raw_but_not_in_an_escaped_backslash(text: str, nul: bool) -> None:
    assert has_json_nul(text) is nul


def test_invalid_utf8_is_invalid_encoding() -> None:
    with pytest.raises(InvalidEncoding):
        check_json_body(b'{"name": "\xff\xfe"}', 64)


def test_ordinary_json_passes() -> None:
    check_json_body('{"name": "Zoë \\\\u0000 [x]", "n": [1, {"a": []}]}'.encode(), 64)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"name=a%00b&csrf_token=t", InvalidCharacters),
        (b"na%00me=x", InvalidCharacters),
        (b"name=%FF%FE", InvalidEncoding),
        (b"name=\xff", InvalidEncoding),
    ],
)
def test_forms_follow_the_same_rules(body: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        check_url_encoded_body(body)


def test_an_ordinary_form_passes() -> None:
    check_url_encoded_body(b"name=Zo%C3%AB+%5Cu0000&csrf_token=abc")


def test_nul_in_the_query_or_path_is_refused() -> None:
    with pytest.raises(InvalidCharacters):
        check_target("/api/workspaces", b"q=a%00")
    with pytest.raises(InvalidCharacters):
        check_target("/api/invites/a\x00b", b"")
    check_target("/api/workspaces", b"q=%2500")  # a literal "%00" is fine
