"""full-text search over conversation titles and message text

Revision ID: 0008_search
Revises: 0007_own_keys_only
Create Date: 2026-12-02 12:00:00

Stored generated columns: PostgreSQL derives each vector from what is already stored (the
title, the text parts of a message), so nothing in the app keeps them in sync, and ranking
reads the stored vector instead of parsing every matching message's JSON again. The models do
not map them (``workspace.schema.tables.DATABASE_MAINTAINED_COLUMNS``).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008_search"
down_revision: str | None = "0007_own_keys_only"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE chat_messages ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        "jsonb_to_tsvector('simple'::regconfig,"
        " jsonb_path_query_array(parts, '$[*] ? (@.type == \"text\").text'), '[\"string\"]')"
        ") STORED"
    )
    op.execute(
        "ALTER TABLE conversations ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        "to_tsvector('simple'::regconfig, title)) STORED"
    )
    op.execute("CREATE INDEX ix_chat_messages_search ON chat_messages USING gin (search_vector)")
    op.execute("CREATE INDEX ix_conversations_search ON conversations USING gin (search_vector)")


def downgrade() -> None:
    op.execute("DROP INDEX ix_conversations_search")
    op.execute("DROP INDEX ix_chat_messages_search")
    op.execute("ALTER TABLE conversations DROP COLUMN search_vector")
    op.execute("ALTER TABLE chat_messages DROP COLUMN search_vector")
