"""credential labels are unique per owner (a workspace's keys; a user's personal keys)

Existing duplicates are renamed before the constraints are added: within one owner, the oldest
row keeps its label and each later one gets " (2)", " (3)", ... (the first free number, cut to
fit 200 characters), so no key is lost and every label still says what it was.

Revision ID: 0005_credential_labels
Revises: 0004_message_display
Create Date: 2026-12-02 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_credential_labels"
down_revision: str | None = "0004_message_display"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LABEL_MAX = 200


def _renumber(owner_column: str) -> None:
    """Give every duplicate (owner, label) row after the oldest a free numbered label."""
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            f"SELECT id, {owner_column} AS owner, label FROM credentials "
            f"WHERE {owner_column} IS NOT NULL ORDER BY {owner_column}, created_at, id"
        )
    ).all()
    taken: dict[object, set[str]] = {}
    for row in rows:
        taken.setdefault(row.owner, set()).add(row.label)
    seen: dict[object, set[str]] = {}
    for row in rows:
        mine = seen.setdefault(row.owner, set())
        if row.label not in mine:
            mine.add(row.label)
            continue
        n = 2
        while True:
            suffix = f" ({n})"
            candidate = row.label[: LABEL_MAX - len(suffix)] + suffix
            if candidate not in taken[row.owner]:
                break
            n += 1
        taken[row.owner].add(candidate)
        mine.add(candidate)
        conn.execute(
            sa.text("UPDATE credentials SET label = :label WHERE id = :id"),
            {"label": candidate, "id": row.id},
        )


def upgrade() -> None:
    _renumber("workspace_id")
    _renumber("user_id")
    op.create_unique_constraint(
        "uq_credentials_workspace_label", "credentials", ["workspace_id", "label"]
    )
    op.create_unique_constraint("uq_credentials_user_label", "credentials", ["user_id", "label"])


def downgrade() -> None:
    op.drop_constraint("uq_credentials_user_label", "credentials", type_="unique")
    op.drop_constraint("uq_credentials_workspace_label", "credentials", type_="unique")
