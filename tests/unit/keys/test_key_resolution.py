"""The key-resolution rule, over every combination of what exists and what policy allows."""

from __future__ import annotations

import itertools

import pytest

from workspace.keys.resolution import Available, Rules, choose_source


def expected(
    request: bool,
    personal: bool,
    workspace: bool,
    platform: bool,
    personal_allowed: bool,
    platform_allowed: bool,
) -> str | None:
    # The documented order (DESIGN: Key resolution), written out independently of the code.
    if request:
        return "request"
    if personal and personal_allowed:
        return "personal"
    if workspace:
        return "workspace"
    if platform and platform_allowed:
        return "platform"
    return None


CASES = list(itertools.product([False, True], repeat=6))


@pytest.mark.parametrize(
    "case", CASES, ids=["".join("1" if c else "0" for c in case) for case in CASES]
)
def test_resolution_table(case: tuple[bool, ...]) -> None:
    request, personal, workspace, platform, personal_allowed, platform_allowed = case
    got = choose_source(
        Available(request, personal, workspace, platform), Rules(personal_allowed, platform_allowed)
    )
    assert got == expected(*case)


def test_request_key_beats_everything() -> None:
    assert choose_source(Available(True, True, True, True), Rules(True, True)) == "request"


def test_personal_key_ignored_when_policy_forbids_it() -> None:
    assert choose_source(Available(False, True, True, False), Rules(False, True)) == "workspace"


def test_no_platform_key_when_plan_forbids_it() -> None:
    assert choose_source(Available(False, False, False, True), Rules(True, False)) is None
