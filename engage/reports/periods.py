"""The dates an indicator's period label covers, so a report for a chosen period picks the right values.

Partners' systems write periods as labels. The ones read here: a UK financial year quarter ("2025/26 Q2":
July to September 2025; the year starts in April), a financial year ("2025/26"), a calendar month
("2025-07", "July 2025") and a calendar year ("2025"). Any other label has no dates: a report keeps such
values (it cannot tell them out), and says so.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

_FY_QUARTER = re.compile(r"(\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*Q([1-4])", re.IGNORECASE)
_FY = re.compile(r"(\d{4})\s*[/-]\s*(\d{2}|\d{4})")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_YEAR = re.compile(r"\d{4}")
MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name} | {
    name.lower(): n for n, name in enumerate(calendar.month_abbr) if name
}


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _follows(start: int, end: str) -> bool:
    """'2025/26' and '2025/2026' name consecutive years."""
    return int(end) == (start + 1) % (100 if len(end) == 2 else 10_000)


def period_dates(label: str) -> tuple[date, date] | None:
    """The first and last day ``label`` covers, or None when it is not a label read here."""
    text = " ".join(label.split())
    if match := _FY_QUARTER.fullmatch(text):
        year, quarter = int(match[1]), int(match[3])
        if not _follows(year, match[2]):
            return None
        first_month = 4 + 3 * (quarter - 1)  # April, July, October, January
        start_year = year if first_month <= 12 else year + 1
        first_month = (first_month - 1) % 12 + 1
        return date(start_year, first_month, 1), _month_end(start_year, first_month + 2)
    if (match := _FY.fullmatch(text)) and _follows(int(match[1]), match[2]):  # "2025-02" is a month
        return date(int(match[1]), 4, 1), date(int(match[1]) + 1, 3, 31)
    if match := _MONTH.fullmatch(text):
        year, month = int(match[1]), int(match[2])
        return (date(year, month, 1), _month_end(year, month)) if 1 <= month <= 12 else None
    words = text.lower().split(" ")
    if len(words) == 2 and words[0] in MONTHS and _YEAR.fullmatch(words[1]):
        year, month = int(words[1]), MONTHS[words[0]]
        return date(year, month, 1), _month_end(year, month)
    if _YEAR.fullmatch(text):
        return date(int(text), 1, 1), date(int(text), 12, 31)
    return None


def overlaps(label: str, start: date, end: date) -> bool:
    """Whether the period ``label`` covers any day from ``start`` to ``end``; True when it has no dates."""
    dates = period_dates(label)
    return dates is None or (dates[0] <= end and dates[1] >= start)
