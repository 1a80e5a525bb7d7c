"""Every table, imported in one place so Alembic and the model/migration check see them all."""

from __future__ import annotations

from sqlmodel import SQLModel

from workspace.accounts import models as accounts_models
from workspace.audit import models as audit_models
from workspace.billing import models as billing_models  # noqa: F401
from workspace.chat import models as chat_models  # noqa: F401
from workspace.keys import models as keys_models
from workspace.projects import models as projects_models
from workspace.teams import models as teams_models

metadata = SQLModel.metadata

__all__ = [
    "accounts_models",
    "audit_models",
    "keys_models",
    "metadata",
    "projects_models",
    "teams_models",
]
