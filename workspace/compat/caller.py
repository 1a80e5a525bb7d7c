"""Who calls the gateway: a workspace token's owner, as a member of that workspace.

The access guard has signed the caller in (``Authorization: Bearer sb_...`` or, for Anthropic's
clients, ``x-api-key: sb_...``) and checked the token's scope. The workspace is the token's own:
an account token (no workspace) or a browser session is refused with ``token_needs_workspace``.
The workspace's sign-in policy applies as on its own routes (a token counts when its owner would
meet it: :func:`workspace.sso.policy.enforce`).
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import Secret
from workspace.accounts.principal import Principal
from workspace.calls.request import RequestKey
from workspace.chat.routes import InvalidRequestKey
from workspace.errors import Forbidden, InvalidInput
from workspace.runtime.lookups import LookupCache
from workspace.sso.policy import enforce as enforce_sign_in_policy
from workspace.teams.guards import Member, admit, membership
from workspace.teams.roles import Permission

CONVERSATION_HEADER = "x-switchboard-conversation"
KEY_SOURCE_HEADER = "x-switchboard-key-source"
NEW_CONVERSATION = "new"


class TokenNeedsWorkspace(Forbidden):
    code = "token_needs_workspace"


class InvalidConversationHeader(InvalidInput):
    code = "invalid_conversation_header"


async def gateway_member(
    db: AsyncSession,
    principal: Principal,
    permission: Permission,
    cache: LookupCache | None = None,
) -> Member:
    """The caller as a member of its token's workspace, allowed ``permission``; with ``cache``,
    the membership that passed the sign-in policy is remembered a moment (any change to either
    evicts it on every replica: :mod:`workspace.runtime.lookups`)."""
    if principal.token_workspace_id is None:
        raise TokenNeedsWorkspace(
            "The gateway needs an API token made for one workspace: create one with "
            "POST /api/workspaces/{ws}/tokens (or on the workspace's admin page)."
        )
    key = ("gateway member", principal)
    if cache is not None and (known := cache.get(key)) is not None:
        return admit(known, permission, hide_forbidden=False)
    generation = cache.generation if cache else 0
    found = await membership(db, principal, principal.token_workspace_id)
    member = admit(found, permission, hide_forbidden=False)
    # The workspace's sign-in policy (SSO / two-factor) binds its tokens here as on its routes.
    await enforce_sign_in_policy(db, principal, member.workspace_id)
    if cache is not None:
        cache.put(key, member, generation, principal.expires_at)
    return member


def request_key(request: Request[Any, Any, Any]) -> RequestKey | None:
    """The per-request key (``X-Provider`` + ``X-Provider-Key``), never stored."""
    provider, key = request.headers.get("x-provider"), request.headers.get("x-provider-key")
    if bool(provider) != bool(key):
        raise InvalidRequestKey("Send X-Provider and X-Provider-Key together.")
    return RequestKey(provider, Secret(key)) if provider and key else None


ConversationRef = uuid.UUID | str | None
"""``X-Switchboard-Conversation``: a conversation id, ``"new"``, or absent (not recorded)."""


def conversation_ref(request: Request[Any, Any, Any]) -> ConversationRef:
    raw = request.headers.get(CONVERSATION_HEADER)
    if raw is None or not raw.strip():
        return None
    raw = raw.strip()
    if raw.lower() == NEW_CONVERSATION:
        return NEW_CONVERSATION
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise InvalidConversationHeader(
            "X-Switchboard-Conversation is 'new' or a conversation id.",
            extra={"field": "X-Switchboard-Conversation"},
        ) from None
