"""Each workspace's sign-in policy, and how a session signed in.

An admin may require single sign-on (with the workspace's provider) and two-factor sign-in. The
access guard calls :func:`enforce` for every route addressed by a workspace (``/w/{ws_id}/...``,
``/api/workspaces/{ws_id}/...``). A session satisfies "SSO" when it signed in with that provider,
and "two-factor" when it passed a second factor, or came through SSO (the IdP owns its factors).
An API token satisfies them when its user has an identity at that provider / has 2FA enrolled or
an SSO identity: a token cannot say how it was made, so its owner's account must qualify.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts.principal import Principal
from workspace.audit.actions import AuditAction
from workspace.audit.service import Actor, record
from workspace.db.columns import utcnow
from workspace.errors import InvalidInput
from workspace.sso.errors import SsoRequired, TwoFactorRequired
from workspace.sso.groups import MAPPABLE_ROLES, replace_group_roles
from workspace.sso.models import SessionSignIn, SignInPolicy, SsoIdentity
from workspace.sso.providers import Providers
from workspace.teams.roles import Role
from workspace.twofactor.service import is_enrolled


@dataclass(frozen=True)
class PolicyChange:
    """What an admin saves on the sign-in settings page."""

    require_sso: bool
    require_two_factor: bool
    sso_provider: str | None
    group_roles: dict[str, Role]


async def policy_of(db: AsyncSession, workspace_id: uuid.UUID) -> SignInPolicy | None:
    return await db.get(SignInPolicy, workspace_id)


async def save_policy(
    db: AsyncSession, actor: Actor, workspace_id: uuid.UUID, change: PolicyChange
) -> SignInPolicy:
    """Store the workspace's policy and group mapping, with an audit row."""
    row = await db.get(SignInPolicy, workspace_id) or SignInPolicy(workspace_id=workspace_id)
    row.require_sso = change.require_sso
    row.require_two_factor = change.require_two_factor
    row.sso_provider = change.sso_provider
    row.updated_at = utcnow()
    db.add(row)
    await replace_group_roles(db, workspace_id, change.group_roles)
    details: dict[str, object] = {
        "require_sso": change.require_sso,
        "require_two_factor": change.require_two_factor,
        "sso_provider": change.sso_provider,
        "group_roles": {g: r.value for g, r in change.group_roles.items()},
    }
    await record(db, actor, AuditAction.SIGN_IN_POLICY_UPDATED, target_type="workspace",
                 target_id=workspace_id, workspace_id=workspace_id, details=details)  # fmt: skip
    await db.flush()
    return row


async def record_sign_in(
    db: AsyncSession, session_key: str, method: str, *, provider: str | None, second_factor: bool
) -> None:
    """Remember how the session ``session_key`` (its token hash) signed in."""
    db.add(SessionSignIn(token_hash=session_key, method=method, provider=provider,
                         second_factor=second_factor))  # fmt: skip
    await db.flush()


async def _token_owner_qualifies(
    db: AsyncSession, user_id: uuid.UUID, provider: str | None
) -> tuple[bool, bool]:
    stmt = select(SsoIdentity.provider).where(SsoIdentity.user_id == user_id)
    providers = set((await db.exec(stmt)).all())
    has_sso = bool(providers) if provider is None else provider in providers
    return has_sso, bool(providers) or await is_enrolled(db, user_id)


async def _session_qualifies(
    db: AsyncSession, session_key: str | None, provider: str | None
) -> tuple[bool, bool]:
    row = await db.get(SessionSignIn, session_key) if session_key else None
    if row is None:
        return False, False
    is_sso = row.method == "sso" and (provider is None or row.provider == provider)
    return is_sso, row.second_factor or row.method == "sso"


async def enforce(db: AsyncSession, principal: Principal, workspace_id: uuid.UUID) -> None:
    """Refuse a caller whose sign-in the workspace's policy does not accept."""
    policy = await db.get(SignInPolicy, workspace_id)
    if policy is None or not (policy.require_sso or policy.require_two_factor):
        return
    if principal.via == "session":
        sso_ok, factor_ok = await _session_qualifies(db, principal.session_key, policy.sso_provider)
    else:
        sso_ok, factor_ok = await _token_owner_qualifies(db, principal.user_id, policy.sso_provider)
    if policy.require_sso and not sso_ok:
        raise SsoRequired(
            "This workspace requires single sign-on: sign out, then sign in with its identity "
            "provider.",
            extra={"provider": policy.sso_provider},
        )
    if policy.require_two_factor and not factor_ok:
        raise TwoFactorRequired(
            "This workspace requires two-factor sign-in: enrol an authenticator at "
            "/account/two-factor, then sign out and in again with it."
        )


async def caller_keeps_access(db: AsyncSession, principal: Principal, change: PolicyChange) -> None:
    """Refuse a policy its own author's sign-in would not meet: saving it would lock them out."""
    if principal.via == "session":
        sso_ok, factor_ok = await _session_qualifies(db, principal.session_key, change.sso_provider)
    else:
        sso_ok, factor_ok = await _token_owner_qualifies(db, principal.user_id, change.sso_provider)
    if change.require_sso and not sso_ok:
        raise InvalidInput(
            "Sign in with this workspace's identity provider first: requiring SSO now would "
            "lock you out.",
            extra={"field": "require_sso"},
        )
    if change.require_two_factor and not factor_ok:
        raise InvalidInput(
            "Turn on two-factor sign-in for yourself first (/account/two-factor): requiring it "
            "now would lock you out.",
            extra={"field": "require_two_factor"},
        )


async def enforce_account_factor(db: AsyncSession, principal: Principal) -> None:
    """A session of an account with two-factor on must have passed it (or come through SSO).

    The sign-in page asks for the code; a session made another way (the JSON login, or one
    opened before 2FA was turned on elsewhere) is refused until the person signs in again.
    """
    if principal.via != "session" or principal.session_key is None:
        return
    if not await is_enrolled(db, principal.user_id):
        return
    row = await db.get(SessionSignIn, principal.session_key)
    if row is not None and (row.second_factor or row.method == "sso"):
        return
    raise TwoFactorRequired(
        "This account has two-factor sign-in on: sign in on the sign-in page, which asks for "
        "the code, or use an API token."
    )


def validated_change(
    providers: Providers,
    *,
    require_sso: bool,
    require_two_factor: bool,
    sso_provider: str | None,
    group_roles: dict[str, Role],
    max_groups: int,
) -> PolicyChange:
    """A policy as an admin asked for it, refused (422) when it names an unknown provider, a
    role groups may not give (owner), or requires SSO without a provider."""
    if sso_provider is not None and providers.get(sso_provider) is None:
        raise InvalidInput(
            "Choose one of the configured providers.", extra={"field": "sso_provider"}
        )
    if require_sso and sso_provider is None:
        raise InvalidInput(
            "Choose the identity provider that members must sign in with.",
            extra={"field": "sso_provider"},
        )
    if any(role not in MAPPABLE_ROLES for role in group_roles.values()):
        raise InvalidInput(
            "Groups may give viewer, member or admin.", extra={"field": "group_roles"}
        )
    if len(group_roles) > max_groups:
        raise InvalidInput(f"Map at most {max_groups} groups.", extra={"field": "group_roles"})
    if any(not group or len(group) > 255 for group in group_roles):
        raise InvalidInput("A group name is 1 to 255 characters.", extra={"field": "group_roles"})
    return PolicyChange(require_sso, require_two_factor, sso_provider, group_roles)
