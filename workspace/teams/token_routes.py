"""API tokens of one workspace: a member creates one for it; its admins list and revoke them.

A workspace token (``sb_...``) reaches that workspace only: the gateway's ``/v1/...`` routes
serve it, and every other workspace answers 404 to it, as to a stranger. Scope ``models`` lists
models only; ``api`` (the default) does whatever its owner's role allows. A member's own tokens,
workspace ones included, are also under ``/api/tokens``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from litestar import Router, delete, get, post
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts import service, tokens
from workspace.accounts.principal import require_may_make_tokens
from workspace.accounts.routes import token_out
from workspace.accounts.schemas import TokenOut
from workspace.audit.service import Actor
from workspace.config.settings import Settings
from workspace.db.columns import utcnow
from workspace.errors import InvalidInput
from workspace.teams.guards import Member
from workspace.teams.roles import Permission as P

WS = "/api/workspaces/{ws_id:uuid}/tokens"


class ExpiryInPast(InvalidInput):
    code = "token_expiry_past"


class WorkspaceTokenIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    scope: Literal["models", "api"] = "api"
    expires_at: datetime | None = None


class MemberTokenOut(msgspec.Struct):
    """A member's token as the workspace's admins see it (never its secret)."""

    token: TokenOut
    user_id: uuid.UUID
    email: str
    name: str


@post("/", opt={"access": P.WORKSPACE_READ}, operation_id="create_workspace_token", status_code=201)
async def create_workspace_token(
    data: WorkspaceTokenIn, member: Member, actor: Actor, db: AsyncSession, settings: Settings
) -> TokenOut:
    """Create a token for this workspace; the secret is in this response only."""
    require_may_make_tokens(member.principal)
    if data.expires_at is not None and (
        data.expires_at.tzinfo is None or data.expires_at <= utcnow()
    ):
        raise ExpiryInPast(
            "expires_at must be a future time with its time zone (e.g. 2027-01-01T00:00:00Z).",
            extra={"field": "expires_at"},
        )
    grant = service.TokenGrant(member.workspace_id, data.scope, data.expires_at)
    issued = await service.create_api_token(
        db, settings, actor, member.principal.user_id, data.name, grant
    )
    return token_out(issued.token, issued.secret)


@get("/", opt={"access": P.MEMBERS_MANAGE}, operation_id="list_workspace_tokens")
async def list_workspace_tokens(member: Member, db: AsyncSession) -> list[MemberTokenOut]:
    """Every member's live token for this workspace (admins)."""
    rows = await tokens.workspace_tokens(db, member.workspace_id)
    return [MemberTokenOut(token_out(t), u.id, u.email, u.name) for t, u in rows]


@delete("/{token_id:uuid}", opt={"access": P.MEMBERS_MANAGE}, operation_id="revoke_workspace_token")
async def revoke_workspace_token(
    token_id: uuid.UUID, member: Member, actor: Actor, db: AsyncSession
) -> None:
    """Revoke a member's token for this workspace (admins)."""
    await tokens.revoke_workspace_token(db, actor, member.workspace_id, token_id)


workspace_tokens_router = Router(
    WS,
    route_handlers=[create_workspace_token, list_workspace_tokens, revoke_workspace_token],
    tags=["teams"],
)
