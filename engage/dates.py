"""Dates as people in the partnership mean them: UK time (Europe/London), whatever the server's zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def start_of_day(day: date | None) -> datetime | None:
    """Midnight at the start of a day, UK time."""
    return datetime.combine(day, time.min, tzinfo=LONDON) if day else None


def end_of_day(day: date | None) -> datetime | None:
    """Midnight at the end of a day, UK time: an exercise 'closing on' a day takes votes all that day."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=LONDON) if day else None
