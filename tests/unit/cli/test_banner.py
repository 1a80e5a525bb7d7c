"""The start-up banner names only what this process started (and will stop)."""

from __future__ import annotations

from typing import Any

import pytest

from workspace.cli.embedded.stack import LocalServices
from workspace.cli.serve import banner
from workspace.config.settings import Settings

SETTINGS = Settings(database_url="postgresql+asyncpg://db/x", vault_addr="http://vault:8200")
STARTED: Any = object()  # stands for a handle to an embedded server this process started


@pytest.mark.parametrize(
    ("postgres", "openbao", "claim"),
    [
        (STARTED, STARTED, "PostgreSQL and OpenBao stop with it"),
        (None, STARTED, "OpenBao stops with it"),
        (STARTED, None, "PostgreSQL stops with it"),
    ],
)
def test_the_banner_names_what_stops_with_the_process(
    postgres: Any, openbao: Any, claim: str
) -> None:
    text = banner(SETTINGS, LocalServices(SETTINGS, postgres, openbao), None)
    assert claim in text


def test_a_replica_that_started_nothing_claims_nothing() -> None:
    text = banner(SETTINGS, LocalServices(SETTINGS, None, None), None)
    assert "PostgreSQL" not in text and "OpenBao" not in text
    assert "Stop with Ctrl-C or SIGTERM (open streams get 30 s to finish)" in text
