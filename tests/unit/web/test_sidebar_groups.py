"""The sidebar's date groups: which heading a conversation last active at a moment sits under."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from workspace.web.sidebar import date_group

TODAY = date(2026, 12, 2)


def _at(day: date, hour: int = 12, tz: timezone = UTC) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=tz)


@pytest.mark.parametrize(
    ("days_ago", "heading"),
    [
        (0, "Today"),
        (1, "Yesterday"),
        (2, "Previous 7 days"),
        (7, "Previous 7 days"),
        (8, "Previous 30 days"),
        (30, "Previous 30 days"),
        (31, "November 2026"),
        (62, "October 2026"),
        (400, "October 2025"),
    ],
)
def test_a_conversation_sits_under_the_heading_of_its_age(days_ago: int, heading: str) -> None:
    assert date_group(_at(TODAY - timedelta(days=days_ago)), TODAY) == heading


def test_days_are_utc_days() -> None:
    # 23:30 on 1 December in New York is already 2 December in UTC.
    late_evening = _at(date(2026, 12, 1), 23, timezone(timedelta(hours=-5)))
    assert date_group(late_evening, TODAY) == "Today"


def test_a_clock_slightly_ahead_still_says_today() -> None:
    assert date_group(_at(TODAY + timedelta(days=1), 0), TODAY) == "Today"
