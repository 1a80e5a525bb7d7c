"""Request and response bodies of the accounts routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

Email = Annotated[str, msgspec.Meta(min_length=3, max_length=320)]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class SignupIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Password
    name: Annotated[str, msgspec.Meta(max_length=200)] = ""


class LoginIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Password


class MeOut(msgspec.Struct):
    id: uuid.UUID
    email: str
    name: str
    csrf_token: str | None = None


class TokenIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class TokenOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    hint: str
    created_at: datetime
    last_used_at: datetime | None
    token: str | None = None
    workspace_id: uuid.UUID | None = None
    scope: str = "api"
    expires_at: datetime | None = None
