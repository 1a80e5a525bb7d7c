"""Roles and the permission table: the single place that says who may do what.

The table is documented in ``docs/permissions.md``; a test checks the two agree.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"


class Permission(StrEnum):
    WORKSPACE_READ = "workspace.read"
    WORKSPACE_UPDATE = "workspace.update"
    WORKSPACE_DELETE = "workspace.delete"
    MEMBERS_READ = "members.read"
    MEMBERS_MANAGE = "members.manage"
    INVITES_MANAGE = "invites.manage"
    PROJECTS_READ = "projects.read"
    PROJECTS_WRITE = "projects.write"
    CONVERSATIONS_READ = "conversations.read"
    CONVERSATIONS_WRITE = "conversations.write"
    MODELS_USE = "models.use"
    CREDENTIALS_READ = "credentials.read"
    CREDENTIALS_MANAGE = "credentials.manage"
    POLICY_READ = "policy.read"
    POLICY_MANAGE = "policy.manage"
    USAGE_READ = "usage.read"
    AUDIT_READ = "audit.read"
    PRESETS_SHARE = "presets.share"


_VIEWER = {
    Permission.WORKSPACE_READ,
    Permission.MEMBERS_READ,
    Permission.PROJECTS_READ,
    Permission.CONVERSATIONS_READ,
    Permission.POLICY_READ,
}
_MEMBER = _VIEWER | {
    Permission.PROJECTS_WRITE,
    Permission.CONVERSATIONS_WRITE,
    Permission.MODELS_USE,
    Permission.CREDENTIALS_READ,
}
_ADMIN = _MEMBER | {
    Permission.WORKSPACE_UPDATE,
    Permission.MEMBERS_MANAGE,
    Permission.INVITES_MANAGE,
    Permission.CREDENTIALS_MANAGE,
    Permission.POLICY_MANAGE,
    Permission.USAGE_READ,
    Permission.AUDIT_READ,
    Permission.PRESETS_SHARE,
}
_OWNER = _ADMIN | {Permission.WORKSPACE_DELETE}

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset(_VIEWER),
    Role.MEMBER: frozenset(_MEMBER),
    Role.ADMIN: frozenset(_ADMIN),
    Role.OWNER: frozenset(_OWNER),
}

RANK = {Role.VIEWER: 0, Role.MEMBER: 1, Role.ADMIN: 2, Role.OWNER: 3}


def allows(role: Role, permission: Permission) -> bool:
    return permission in PERMISSIONS[role]


def can_assign(actor: Role, target_current: Role | None, target_new: Role) -> bool:
    """Whether ``actor`` may move someone from ``target_current`` to ``target_new``.

    Only owners touch ownership: an admin can neither make an owner nor change one.
    """
    if actor is Role.OWNER:
        return True
    if not allows(actor, Permission.MEMBERS_MANAGE):
        return False
    return target_new is not Role.OWNER and target_current is not Role.OWNER
