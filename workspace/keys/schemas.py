"""Bodies of the credential, policy and model-catalogue routes. No response ever holds a secret."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

Label = Annotated[str, msgspec.Meta(max_length=200)]
SecretText = Annotated[str, msgspec.Meta(min_length=1, max_length=16_384)]
Url = Annotated[str, msgspec.Meta(max_length=2000)]


class CredentialIn(msgspec.Struct, forbid_unknown_fields=True):
    provider: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    secret: SecretText | None = None
    credentials_json: SecretText | None = None
    label: Label = ""
    base_url: Url | None = None


class SecretIn(msgspec.Struct, forbid_unknown_fields=True):
    secret: SecretText


class ValidationOut(msgspec.Struct):
    status: str
    message: str


class CredentialOut(msgspec.Struct):
    id: uuid.UUID
    scope: str
    provider: str
    label: str
    kind: str
    fingerprint: str
    base_url: str | None
    status: str
    status_message: str
    last_validated_at: datetime | None
    last_used_at: datetime | None
    created_at: datetime
    validation: ValidationOut | None = None


class PolicyIO(msgspec.Struct, forbid_unknown_fields=True):
    allowed_providers: list[str] | None = None
    allowed_models: list[str] | None = None
    personal_keys_allowed: bool = True
    byok_failure: Literal["fail", "fallback"] = "fail"
    own_keys_only: bool = False


class ModelOut(msgspec.Struct):
    id: str
    provider: str
    display_name: str
    context_window: int
    input_price_per_mtok: float | None
    output_price_per_mtok: float | None
    allowed: bool
    key_source: str | None
    # False for a model only the provider's own list knows: usable on own keys, not on the
    # platform's (its cost cannot be held in credits), and its usage is flagged.
    price_known: bool = True
    vision: bool = False
    # True when the provider listed its models for the paying key; False = the static catalogue.
    listed: bool = False


ModelRef = Annotated[str, msgspec.Meta(min_length=3, max_length=200)]


class ModelDefaultsIO(msgspec.Struct, forbid_unknown_fields=True):
    """A member's default models: ``overall`` preselected in a new chat, ``per_provider`` when
    the member picks a provider (provider id -> ``provider/model``)."""

    overall: ModelRef | None = None
    per_provider: dict[Annotated[str, msgspec.Meta(max_length=64)], ModelRef] = {}
