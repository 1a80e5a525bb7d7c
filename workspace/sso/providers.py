"""The operator's OpenID Connect providers, read from ``SWITCHBOARD_SSO_PROVIDERS`` (JSON).

Each entry names one provider::

    [{"id": "acme", "label": "Acme SSO", "issuer": "https://login.acme.example",
      "client_id": "switchboard", "groups_claim": "groups", "allowed_domains": ["acme.example"]}]

The client secret is not part of it: it is stored in Vault (``switchboard admin sso-secret set``)
and read when a code is exchanged; a provider without one is a public client (PKCE only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from workspace.config.settings import Settings

_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")


class ProviderConfig(BaseModel):
    """One configured identity provider."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Short id used in URLs (/sso/<id>/start) and audit rows.")
    label: str = Field(description="Shown on the button: 'Sign in with <label>'.")
    issuer: str = Field(description="Issuer URL; discovery is <issuer>/.well-known/...")
    client_id: str
    scopes: str = "openid email profile"
    groups_claim: str = Field("groups", description="ID token or userinfo claim listing groups.")
    allowed_domains: tuple[str, ...] = Field(
        (), description="E-mail domains allowed to sign in; empty = any domain."
    )
    rp_logout: bool = Field(True, description="Offer signing out at the IdP too (if it can).")

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("a provider id is lower-case letters, digits, '-' or '_'")
        return value

    @field_validator("issuer")
    @classmethod
    def _check_issuer(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("the issuer is an http(s) URL")
        return value.rstrip("/")

    @field_validator("allowed_domains")
    @classmethod
    def _lower(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(d.strip().lower().lstrip("@") for d in value if d.strip())

    def allows_email(self, email: str) -> bool:
        """Whether ``email``'s domain may sign in with this provider."""
        if not self.allowed_domains:
            return True
        return email.rpartition("@")[2].lower() in self.allowed_domains


_LIST = TypeAdapter(tuple[ProviderConfig, ...])


@dataclass(frozen=True)
class Providers:
    """The configured providers, in the operator's order."""

    items: tuple[ProviderConfig, ...]

    def get(self, provider_id: str) -> ProviderConfig | None:
        return next((p for p in self.items if p.id == provider_id), None)


@lru_cache(maxsize=8)
def _parse(raw: str) -> Providers:
    if not raw.strip():
        return Providers(())
    try:
        items = _LIST.validate_json(raw)
    except ValidationError as exc:
        raise ValueError(f"SWITCHBOARD_SSO_PROVIDERS is not a valid provider list: {exc}") from None
    ids = [p.id for p in items]
    if len(set(ids)) != len(ids):
        raise ValueError("SWITCHBOARD_SSO_PROVIDERS names a provider id twice")
    return Providers(items)


def configured(settings: Settings) -> Providers:
    """The providers of ``settings`` (parsed once per distinct value)."""
    return _parse(settings.sso_providers)
