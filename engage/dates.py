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


def last_whole_day(moment: datetime) -> date:
    """The last whole day, UK time, before ``moment``: something that stops working at 05:00 on the 29th
    works all of the 28th, so people are told it works until the 28th."""
    return moment.astimezone(LONDON).date() - timedelta(days=1)
