"""A workspace's API tokens as its admins see them: every member's, listed and revocable.

A member creates and revokes their own tokens (:mod:`workspace.accounts.service`); an admin of
the workspace a token belongs to may list it (hint, owner, scope, expiry; never the secret) and
revoke it. The membership and the admin's permission are checked by the route's access guard.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts.models import ApiToken, User
from workspace.audit.actions import AuditAction
from workspace.audit.service import Actor, record
from workspace.db.columns import utcnow
from workspace.errors import NotFound


async def workspace_tokens(
    session: AsyncSession, workspace_id: uuid.UUID
) -> Sequence[tuple[ApiToken, User]]:
    """The live tokens of ``workspace_id``, newest first, each with its owner."""
    stmt = (
        select(ApiToken, User)
        .join(User, col(User.id) == col(ApiToken.user_id))
        .where(ApiToken.workspace_id == workspace_id, col(ApiToken.revoked_at).is_(None))
        .order_by(col(ApiToken.created_at).desc())
    )
    return (await session.exec(stmt)).all()


async def revoke_workspace_token(
    session: AsyncSession, actor: Actor, workspace_id: uuid.UUID, token_id: uuid.UUID
) -> None:
    """Revoke a token of ``workspace_id`` (a token of another workspace is not found)."""
    stmt = select(ApiToken).where(
        ApiToken.id == token_id,
        ApiToken.workspace_id == workspace_id,
        col(ApiToken.revoked_at).is_(None),
    )
    token = (await session.exec(stmt)).first()
    if token is None:
        raise NotFound("No such API token in this workspace.")
    token.revoked_at = utcnow()
    session.add(token)
    await record(
        session,
        actor,
        AuditAction.API_TOKEN_REVOKED,
        target_type="api_token",
        target_id=token.id,
        workspace_id=workspace_id,
        details={"owner": str(token.user_id)},
    )
    await session.flush()
