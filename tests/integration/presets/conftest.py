"""The chat tests' simulator fixture, for tests that read what reached a provider."""

from tests.integration.chat.conftest import sim

__all__ = ["sim"]
