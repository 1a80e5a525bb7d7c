"""Vault paths, built only from database ids and provider ids of the registry, never user text."""

from __future__ import annotations

import re
import uuid

_PROVIDER_ID = re.compile(r"^[a-z0-9_\-]{1,64}$")


def workspace_credential(workspace_id: uuid.UUID, credential_id: uuid.UUID) -> str:
    return f"workspaces/{workspace_id}/credentials/{credential_id}"


def personal_credential(user_id: uuid.UUID, credential_id: uuid.UUID) -> str:
    return f"users/{user_id}/credentials/{credential_id}"


def two_factor_secret(user_id: uuid.UUID) -> str:
    return f"users/{user_id}/totp"


def sso_client_secret(provider: str) -> str:
    """An OpenID provider's client secret; ``provider`` is the operator's id for it."""
    if not _PROVIDER_ID.match(provider):
        raise ValueError("not a provider id")
    return f"sso/{provider}"


def platform_key(provider: str) -> str:
    if not _PROVIDER_ID.match(provider):
        raise ValueError("not a provider id")
    return f"platform/{provider}"
