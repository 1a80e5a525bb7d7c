"""The pure rules of sign-in: provider settings, group roles, TOTP steps, the issuer guard."""

from __future__ import annotations

import json

import pyotp
import pytest

from workspace.config.settings import Settings
from workspace.errors import InvalidInput
from workspace.sso.discovery import provider_metadata
from workspace.sso.errors import SsoRefused
from workspace.sso.groups import highest_role
from workspace.sso.providers import configured
from workspace.teams.roles import Role
from workspace.twofactor.totp import STEP_S, matching_step
from workspace.web.routes.sign_in_admin import parse_group_roles

ACME: dict[str, object] = {
    "id": "acme",
    "label": "Acme",
    "issuer": "http://127.0.0.1:9/",
    "client_id": "sb",
    "allowed_domains": ["@Acme.example"],
}


def _settings(providers: list[dict[str, object]], **extra: object) -> Settings:
    return Settings(sso_providers=json.dumps(providers), **extra)  # type: ignore[arg-type]


def test_providers_are_read_from_json_with_normalised_issuer_and_domains() -> None:
    provider = configured(_settings([ACME])).get("acme")
    assert provider is not None
    assert provider.issuer == "http://127.0.0.1:9"
    assert provider.allows_email("pat@acme.example")
    assert not provider.allows_email("pat@acme.example.evil.test")


@pytest.mark.parametrize(
    "providers",
    [[ACME, ACME], [ACME | {"id": "Bad Id"}], [ACME | {"issuer": "ftp://x"}], [ACME | {"x": 1}]],
)
def test_a_bad_provider_list_is_refused(providers: list[dict[str, object]]) -> None:
    with pytest.raises(ValueError):
        configured(_settings(providers))


def test_the_highest_mapped_role_wins_and_unmapped_groups_give_nothing() -> None:
    mapping = {"eng": Role.MEMBER, "leads": Role.ADMIN, "readers": Role.VIEWER}
    assert highest_role(["readers", "leads", "eng"], mapping) is Role.ADMIN
    assert highest_role(["sales"], mapping) is None


def test_group_role_lines_are_parsed_and_owner_is_refused() -> None:
    assert parse_group_roles("eng = member\n\n cn=leads,ou=x = Admin ", 200) == {
        "eng": Role.MEMBER,
        "cn=leads,ou=x": Role.ADMIN,
    }
    with pytest.raises(InvalidInput, match="Line 1"):
        parse_group_roles("eng = owner", 200)
    with pytest.raises(InvalidInput, match="Line 2"):
        parse_group_roles("eng = member\njust a group", 200)


def test_a_totp_code_is_accepted_once_and_only_near_now() -> None:
    secret = pyotp.random_base32()
    now = 1_800_000_000.0
    step = int(now // STEP_S)
    code = pyotp.TOTP(secret).at(now)
    assert matching_step(secret, code, after_step=0, now=now) == step
    assert matching_step(secret, code, after_step=step, now=now) is None  # already used
    assert matching_step(secret, code, after_step=0, now=now + 10 * STEP_S) is None
    assert matching_step(secret, "12345", after_step=0, now=now) is None


async def test_a_loopback_issuer_needs_the_operators_setting() -> None:
    settings = _settings([ACME])
    provider = configured(settings).get("acme")
    assert provider is not None
    with pytest.raises(SsoRefused, match="SWITCHBOARD_SSO_ALLOW_PRIVATE_ISSUERS"):
        await provider_metadata(settings, provider)
