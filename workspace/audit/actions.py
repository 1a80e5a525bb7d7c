"""Every action the audit log records, in one enum.

:func:`workspace.audit.service.record` refuses a name that is not here, and the admin console's
filter lists exactly these, so a new action cannot be written without also becoming filterable.
Values are stored as plain strings (``area.verb``); renaming one would orphan old rows, so don't.
"""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    """An ``area.verb`` audit action; grouped by area for the filter (see :func:`by_area`)."""

    WORKSPACE_CREATED = "workspace.created"
    WORKSPACE_RENAMED = "workspace.renamed"
    MEMBER_ROLE_CHANGED = "member.role_changed"
    MEMBER_REMOVED = "member.removed"
    MEMBER_LEFT = "member.left"
    INVITE_CREATED = "invite.created"
    INVITE_REVOKED = "invite.revoked"
    INVITE_ACCEPTED = "invite.accepted"
    PROJECT_CREATED = "project.created"
    PROJECT_UPDATED = "project.updated"
    PROJECT_DELETED = "project.deleted"
    CONVERSATION_CREATED = "conversation.created"
    CONVERSATION_UPDATED = "conversation.updated"
    CONVERSATION_DELETED = "conversation.deleted"
    CONVERSATION_IMPORTED = "conversation.imported"
    CONVERSATION_ARCHIVED = "conversation.archived"
    CONVERSATION_RESTORED = "conversation.restored"
    CONVERSATION_SETTINGS_CHANGED = "conversation.settings_changed"
    COMPARE_VOTED = "compare.voted"
    CREDENTIAL_CREATED = "credential.created"
    CREDENTIAL_VALIDATED = "credential.validated"
    CREDENTIAL_ROTATED = "credential.rotated"
    CREDENTIAL_DELETED = "credential.deleted"
    POLICY_UPDATED = "policy.updated"
    BUDGET_UPDATED = "budget.updated"
    BUDGET_EXCEEDED = "budget.exceeded"
    PLATFORM_KEY_SET = "platform_key.set"
    PLATFORM_KEY_DELETED = "platform_key.deleted"
    API_TOKEN_CREATED = "api_token.created"
    API_TOKEN_REVOKED = "api_token.revoked"
    PRESET_CREATED = "preset.created"
    PRESET_UPDATED = "preset.updated"
    PRESET_SHARED = "preset.shared"
    PRESET_DELETED = "preset.deleted"
    SSO_SIGNED_IN = "sso.signed_in"
    SSO_ACCOUNT_CREATED = "sso.account_created"
    SSO_LINKED = "sso.linked"
    SSO_GROUP_ROLE_CHANGED = "sso.group_role_changed"
    SIGN_IN_POLICY_UPDATED = "sign_in.policy_updated"
    TWO_FACTOR_ENABLED = "two_factor.enabled"
    TWO_FACTOR_DISABLED = "two_factor.disabled"
    TWO_FACTOR_RECOVERY_USED = "two_factor.recovery_used"

    @property
    def area(self) -> str:
        """The part before the dot: ``member`` for ``member.role_changed``."""
        return self.value.split(".", 1)[0]


MEMBER_ACTIONS = frozenset(
    {
        AuditAction.MEMBER_ROLE_CHANGED,
        AuditAction.MEMBER_REMOVED,
        AuditAction.MEMBER_LEFT,
        AuditAction.SSO_GROUP_ROLE_CHANGED,
    }
)
"""Actions whose target is a user: the log names that person, not just an id."""


def by_area() -> list[tuple[str, list[AuditAction]]]:
    """The actions grouped by area, in declaration order (one ``<optgroup>`` each)."""
    groups: dict[str, list[AuditAction]] = {}
    for action in AuditAction:
        groups.setdefault(action.area, []).append(action)
    return list(groups.items())
