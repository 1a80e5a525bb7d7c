"""Workspaces, members, roles and invites, and the guard that checks a member's permission."""
