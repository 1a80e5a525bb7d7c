"""Which key a request from this machine carries: the rule in four lines.

1. a key passed for this call (the CLI's ``--key-stdin``, the client's ``key=`` argument);
2. the provider's environment variable (``OPENAI_API_KEY``, ``ANTHROPIC_API_KEY``,
   ``GEMINI_API_KEY`` or ``GOOGLE_API_KEY``, ``GROQ_API_KEY``);
3. the key stored locally with ``switchboard keys set PROVIDER`` (OS keychain, or its 0600 file);
4. none: the server chooses, in its own order (personal > workspace > platform).

A key from 1-3 travels with that one request as ``X-Provider``/``X-Provider-Key``; the server
never stores it and the answer's key source is ``request``. :func:`choose_request_key` is the
pure rule (table-tested).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

PROVIDER_KEY_VARIABLES: Final[dict[str, tuple[str, ...]]] = {
    "openai": ("OPENAI_API_KEY",),
    "anthropic": ("ANTHROPIC_API_KEY",),
    "gemini": ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
    "groq": ("GROQ_API_KEY",),
}
LocalSource = Literal["flag", "environment", "keychain"]


@dataclass(frozen=True)
class LocalKey:
    """A key this machine sends with one request; the secret never shows in its repr."""

    provider: str
    secret: str = field(repr=False)
    source: LocalSource

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.secret)


def fingerprint(value: str) -> str:
    """The server's hint for a key (``sk-...a1b2``): first 3 and last 4 characters of a long
    key, the last 2 of a short one, nothing of a very short one."""
    if len(value) >= 16:
        return f"{value[:3]}...{value[-4:]}"
    if len(value) >= 8:
        return f"...{value[-2:]}"
    return "..."


def keychain_name(provider: str) -> str:
    return f"key:{provider}"


def env_key(provider: str, environ: Mapping[str, str]) -> str | None:
    for variable in PROVIDER_KEY_VARIABLES.get(provider, ()):
        if value := environ.get(variable, "").strip():
            return value
    return None


def choose_request_key(
    provider: str,
    *,
    flag: str | None,
    environ: Mapping[str, str],
    stored: Callable[[str], str | None],
) -> LocalKey | None:
    """The documented order; None leaves the choice to the server."""
    if flag and flag.strip():
        return LocalKey(provider, flag.strip(), "flag")
    if value := env_key(provider, environ):
        return LocalKey(provider, value, "environment")
    if value := stored(keychain_name(provider)):
        return LocalKey(provider, value, "keychain")
    return None


def provider_of(model: str) -> str:
    """``openai/gpt-4o`` -> ``openai``."""
    return model.split("/", 1)[0]
