"""The documented permission table is the one the code enforces."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from workspace.teams.roles import PERMISSIONS, Permission, Role, allows, can_assign

DOC = Path(__file__).resolve().parents[3] / "docs" / "permissions.md"


def test_permission_table_in_docs_matches_code() -> None:
    rows = re.findall(
        r"^\| `([a-z.]+)` \| (\w+) \| (\w+) \| (\w+) \| (\w+) \|$", DOC.read_text(), re.M
    )
    documented = {perm: cells for perm, *cells in rows}
    assert set(documented) == {p.value for p in Permission}
    for perm, cells in documented.items():
        for role, cell in zip(
            (Role.VIEWER, Role.MEMBER, Role.ADMIN, Role.OWNER), cells, strict=True
        ):
            assert allows(role, Permission(perm)) == (cell == "yes"), (perm, role)


def test_roles_are_nested() -> None:
    order = [Role.VIEWER, Role.MEMBER, Role.ADMIN, Role.OWNER]
    for lower, higher in itertools.pairwise(order):
        assert PERMISSIONS[lower] < PERMISSIONS[higher]


def test_only_owners_touch_ownership() -> None:
    assert can_assign(Role.OWNER, Role.OWNER, Role.ADMIN)
    assert not can_assign(Role.ADMIN, Role.OWNER, Role.ADMIN)
    assert not can_assign(Role.ADMIN, Role.MEMBER, Role.OWNER)
    assert can_assign(Role.ADMIN, Role.MEMBER, Role.ADMIN)
    assert not can_assign(Role.MEMBER, Role.VIEWER, Role.MEMBER)
