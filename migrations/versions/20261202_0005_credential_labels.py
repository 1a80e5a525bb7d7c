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
credentials = sa.table(
    "credentials",
    sa.column("id", sa.Uuid()),
    sa.column("workspace_id", sa.Uuid()),
    sa.column("user_id", sa.Uuid()),
    sa.column("label", sa.String()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def _renumber(owner_column: str) -> None:
    """Give every duplicate (owner, label) row after the oldest a free numbered label."""
    conn = op.get_bind()
    owner = credentials.c[owner_column]
    rows = conn.execute(
        sa.select(credentials.c.id, owner.label("owner"), credentials.c.label)
        .where(owner.is_not(None))
        .order_by(owner, credentials.c.created_at, credentials.c.id)
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
            sa.update(credentials).where(credentials.c.id == row.id).values(label=candidate)
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
