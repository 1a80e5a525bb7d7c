"""Every table, imported in one place so Alembic and the model/migration check see them all."""

from __future__ import annotations

from sqlmodel import SQLModel

from workspace.accounts import models as accounts_models
from workspace.audit import models as audit_models
from workspace.billing import models as billing_models  # noqa: F401
from workspace.chat import models as chat_models  # noqa: F401
from workspace.files import models as files_models
from workspace.keys import models as keys_models
from workspace.presets import models as presets_models
from workspace.projects import models as projects_models
from workspace.sso import models as sso_models
from workspace.teams import models as teams_models
from workspace.twofactor import models as twofactor_models

metadata = SQLModel.metadata

# Columns PostgreSQL computes and the application never reads or writes (``GENERATED ALWAYS``
# search vectors, see migration 0008): kept out of the models so loading a message never
# drags its search vector along, and so skipped when models and migrations are compared.
# (table, column) -> the GIN index on it.
DATABASE_MAINTAINED_COLUMNS = {
    ("chat_messages", "search_vector"): "ix_chat_messages_search",
    ("conversations", "search_vector"): "ix_conversations_search",
}


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic's filter: all but :data:`DATABASE_MAINTAINED_COLUMNS` and their indexes."""
    table = getattr(getattr(obj, "table", None), "name", None)
    if type_ == "column":
        return (table, name) not in DATABASE_MAINTAINED_COLUMNS
    return not (type_ == "index" and name in DATABASE_MAINTAINED_COLUMNS.values())


__all__ = [
    "DATABASE_MAINTAINED_COLUMNS",
    "accounts_models",
    "audit_models",
    "files_models",
    "include_object",
    "keys_models",
    "metadata",
    "presets_models",
    "projects_models",
    "sso_models",
    "teams_models",
    "twofactor_models",
]
