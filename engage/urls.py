"""Helpers for what comes in a request's URL or form: redirect targets and row ids."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, url_for
from werkzeug.routing import IntegerConverter

#: The largest id a row can have (the columns are 32-bit integers on PostgreSQL).
LARGEST_ID = 2**31 - 1


def row_id(text: str | None) -> int | None:
    """``text`` (a form field or query argument) as a row's id: ASCII digits naming a number an id can be,
    else None. ``str.isdigit`` alone let "²" through to ``int()`` (a ValueError) and any length of digits
    through to the database (SQLite cannot bind past 2**63): both were 500s."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(LARGEST_ID))):
        return None
    number = int(text)
    return number if number <= LARGEST_ID else None


#: The last page number a list takes: past it (or for anything but a page number) the first page is shown.
LAST_PAGE = 99_999


def page_number(text: str | None) -> int:
    """A list's ``?page=`` argument as a page number from 1, or 1 for anything else: a huge number would
    reach the database as an offset it cannot bind."""
    number = row_id(text)
    return number if number and number <= LAST_PAGE else 1


class RowIdConverter(IntegerConverter):
    """``<int:...>`` in every route: a number too large to be any row's id does not match the route (a 404),
    instead of reaching the database, which refuses it (SQLite cannot even bind it): that was a 500."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(map, *args, **kwargs)


def safe_next(target: str | None, default: str) -> str:
    """``target`` when it is a path on this site, else ``default``: never redirect off-site."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        # A line break cannot go in a Location header (it was a 500), and browsers drop tabs and line
        # breaks from a URL, so "/\t/evil.example" would leave the site.
        return default
    return target


def external_url(endpoint: str, **values) -> str:
    """An absolute link to give out (an email, a workshop's join link or QR code), built from
    ``ENGAGE_BASE_URL``, never from the request's Host header: whoever sends a request chooses that, so a
    link emailed from the council's address could point anywhere. ``endpoint`` is the full name
    (``surveys.resume``). Without the setting (development and tests; production refuses to start) the link
    follows the request."""
    base = current_app.config.get("ENGAGE_BASE_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)
