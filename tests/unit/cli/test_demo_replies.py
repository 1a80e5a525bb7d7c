"""The offline demo's simulator answers in prose, not in the test rig's context report."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from openai import OpenAI

from adapters.simulator.server import RunningSimulator
from workspace.cli import demo
from workspace.config.settings import Settings


async def _no_seed(settings: Settings) -> None:
    """Seeding needs PostgreSQL and Vault; what is tested here is the simulator it starts."""


@pytest.fixture
def demo_simulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[RunningSimulator, Settings]]:
    monkeypatch.setattr(demo, "seed_demo", _no_seed)
    simulator, settings, _login = demo.start_demo(Settings())
    try:
        yield simulator, settings
    finally:
        simulator.stop()


def test_demo_answers_read_like_answers(demo_simulator: tuple[RunningSimulator, Settings]) -> None:
    _simulator, settings = demo_simulator
    client = OpenAI(base_url=settings.openai_base_url, api_key=demo.DEMO_KEYS["openai"])

    answer = client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "Write a python function that adds two numbers"}],
    )

    text = answer.choices[0].message.content or ""
    assert "[openai/gpt-4o]" not in text and "messages=1" not in text
    assert "```python\ndef " in text
    assert text.endswith("_context: 1 message, system prompt: no, images: 0_")
