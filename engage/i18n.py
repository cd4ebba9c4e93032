"""Choosing the visitor's language, and facts about each language the templates need."""

from __future__ import annotations

import functools
from datetime import date, datetime, time
from typing import TypeVar

from babel import Locale, dates
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale, to_user_timezone
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

#: Each language named in itself, as a language switcher should show it.
LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg", "ur": "اردو", "pl": "Polski"}


def select_locale() -> str:
    """``?lang=`` for a shared link, then the visitor's choice, then the browser's preference."""
    supported = current_app.config["ENGAGE_LOCALES"]
    if not has_request_context():  # the CLI and background work speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang") if request.query_string else None
    if asked is not None and asked in supported:
        session["locale"] = asked
        return asked
    chosen = session.get("locale")
    if isinstance(chosen, str) and chosen in supported:
        return chosen
    preferred = _preferred(request.headers.get("Accept-Language"), tuple(supported))
    return preferred or current_app.config["BABEL_DEFAULT_LOCALE"]


@functools.lru_cache(maxsize=256)
def _preferred(accept_language: str | None, supported: tuple[str, ...]) -> str | None:
    """The best of ``supported`` for a browser's Accept-Language header, worked out once per header: browsers
    send a few dozen distinct ones, and parsing and matching one took about 20 microseconds of every request
    of a visitor who has not chosen a language."""
    return parse_accept_header(accept_language, LanguageAccept).best_match(supported)


def text_direction() -> str:
    """'rtl' for right-to-left languages (Urdu), else 'ltr'."""
    locale = get_locale()
    return locale.text_direction if locale is not None else "ltr"


def isolate(text: str, locale: Locale) -> str:
    """Text that reads left to right (an amount, a number with its sign), wrapped in Unicode's left-to-right
    isolate when the locale reads right to left: after Urdu words the digits would otherwise count as Arabic
    numbers, and a pound sign or minus sign would drift to their far side ('4,200,000£', '5-')."""
    return f"\u2066{text}\u2069" if locale.text_direction == "rtl" else text


def formatting_locale() -> Locale:
    """The locale for dates and numbers: British English for English (26 November 2026, not November 26)."""
    locale = get_locale()
    if locale is None or locale.language == "en":
        return Locale.parse("en_GB")
    return locale


When = TypeVar("When", date, datetime, time)


def _local(value: When) -> When:
    return to_user_timezone(value) if isinstance(value, datetime) else value


def format_date(value: date | datetime, format: str = "medium") -> str:  # `format` as Babel names it
    return dates.format_date(_local(value), format=format, locale=formatting_locale())


def format_time(value: datetime | time, format: str = "medium") -> str:
    moment = _local(value) if isinstance(value, datetime) else value
    return dates.format_time(moment, format=format, locale=formatting_locale())


def format_datetime(value: datetime, format: str = "medium") -> str:
    return dates.format_datetime(_local(value), format=format, locale=formatting_locale())


def register_date_filters(app: Flask) -> None:
    """Replace Flask-Babel's date filters (call after ``babel.init_app``) with ones that write British dates
    in English and each language's own format otherwise."""
    filters = {"dateformat": format_date, "timeformat": format_time, "datetimeformat": format_datetime}
    app.jinja_env.filters.update(filters)
