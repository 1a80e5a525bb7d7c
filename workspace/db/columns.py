"""Column conventions every table shares: timezone-aware UTC timestamps."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa


def utcnow() -> datetime:
    return datetime.now(UTC)


# Every timestamp is timezone-aware and stored in UTC.
TZ = sa.DateTime(timezone=True)
