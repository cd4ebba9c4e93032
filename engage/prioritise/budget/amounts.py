"""Amounts in a budget exercise: whole pounds, points or dots, written and read as the locale writes them."""

from __future__ import annotations

import copy
import re

from babel import Locale
from babel.numbers import format_currency, format_decimal, format_percent, parse_pattern
from flask_babel import ngettext

from engage.i18n import formatting_locale, isolate
from engage.prioritise.models import BudgetUnit

#: Characters people type around a number that carry no value: currency signs and letters, spaces.
_NOISE = re.compile(r"[£\s\u00a0\u202f]|GBP", re.IGNORECASE)


def _locale() -> Locale:
    return formatting_locale()


def format_amount(value: int | float, unit: BudgetUnit | None) -> str:
    """'£1,250,000' (en), '1 250 000 GBP' (pl), '5 dots', '100 points': whole units, no pence."""
    locale = _locale()
    if unit is BudgetUnit.MONEY:
        pattern = copy.copy(parse_pattern(locale.currency_formats["standard"].pattern))
        pattern.frac_prec = (0, 0)
        money = format_currency(round(value), "GBP", format=pattern, locale=locale, currency_digits=False)
        return isolate(money, locale)
    number = format_decimal(round(value), locale=locale)
    if unit is BudgetUnit.DOTS:
        return ngettext("%(amount)s dot", "%(amount)s dots", round(value), amount=number)
    return ngettext("%(amount)s point", "%(amount)s points", round(value), amount=number)


def format_pounds(value: float) -> str:
    """Pounds and pence ('£12.50') as the locale writes them, kept whole in a right-to-left sentence."""
    locale = _locale()
    return isolate(format_currency(value, "GBP", locale=locale), locale)


def format_number(value: int | float) -> str:
    """A whole number grouped the locale's way ('600,000'), for an amount box: parse_amount reads it back."""
    return format_decimal(round(value), locale=_locale())


def format_share(share: float, digits: int = 0) -> str:
    """A share (0 to 1) as a percentage written the locale's way."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(share, format=pattern, locale=_locale())


def parse_amount(text: str | None) -> int | None:
    """A whole, non-negative amount from what a resident typed ('1,250,000', '£10 000'), else None.

    Group separators are the locale's and the common ones (comma, space); a decimal point with pence is
    not a whole amount. Blank means 0: an item a resident left empty gets nothing.
    """
    if text is None or not text.strip():
        return 0
    group = _locale().number_symbols.get("latn", {}).get("group", ",")
    cleaned = _NOISE.sub("", text).replace(group, "").replace(",", "")
    if not cleaned.isascii() or not cleaned.isdigit() or len(cleaned) > 15:
        return None
    return int(cleaned)
