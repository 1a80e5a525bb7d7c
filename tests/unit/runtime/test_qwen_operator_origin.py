"""A Qwen Code login may reach the origin the operator configured for Qwen, and nothing else.

The SSRF guard refuses private addresses in the ``resource_url`` a member pastes; the offline
demo's Qwen endpoints are the loopback simulator, so the operator's own Qwen origin is exempt
(and only it: the guard stays on for every other address).
"""

from __future__ import annotations

import pytest

from adapters.config import AdapterConfig
from adapters.errors import UnsafeBaseURL
from adapters.oauth.qwen_code import _QwenChatApi, origin_of
from adapters.types import ApiKeyCredential, Secret
from workspace.cli.demo import simulator_settings
from workspace.config.settings import Settings
from workspace.runtime.providers import adapter_config

SIM = "http://127.0.0.1:18765"
GUARDED = AdapterConfig(qwen_token_url=f"{SIM}/oauth/qwen/token", allow_private_base_urls=False)


def bearer(base_url: str) -> ApiKeyCredential:
    return ApiKeyCredential(Secret("qwen-access-token"), base_url=base_url)


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://127.0.0.1:18765/qwen/v1", ("http", "127.0.0.1", 18765)),
        ("https://Portal.Qwen.AI/v1", ("https", "portal.qwen.ai", 443)),
        ("http://example.test./x", ("http", "example.test", 80)),
        ("ftp://127.0.0.1/", None),
        ("http://user@127.0.0.1:18765/", None),
        ("http://127.0.0.1:notaport/", None),
        ("", None),
    ],
)
def test_origin_of(url: str, origin: tuple[str, str, int] | None) -> None:
    assert origin_of(url) == origin


async def test_the_operators_qwen_origin_is_reachable_with_the_guard_on() -> None:
    api = _QwenChatApi(GUARDED)

    client = await api.client_for(bearer(f"{SIM}/qwen/v1"))

    assert str(client.base_url).startswith(f"{SIM}/qwen/v1")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:18766/qwen/v1",  # same host, another port: another origin
        "https://127.0.0.1:18765/qwen/v1",  # another scheme
        "http://169.254.169.254/v1",
        "http://10.0.0.5/v1",
    ],
)
async def test_every_other_private_address_stays_refused(url: str) -> None:
    with pytest.raises(UnsafeBaseURL):
        await _QwenChatApi(GUARDED).client_for(bearer(url))


def test_the_demo_settings_trust_only_the_simulators_origin() -> None:
    config = adapter_config(simulator_settings(Settings(), SIM))
    api = _QwenChatApi(config)

    assert config.allow_private_base_urls is False
    assert api.allows_private(f"{SIM}/qwen/v1")
    assert not api.allows_private("http://127.0.0.1:5432/v1")
