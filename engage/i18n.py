"""Choosing the visitor's language, and facts about each language the templates need."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_babel import get_locale

#: Each language named in itself, as a language switcher should show it.
LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg", "ur": "اردو", "pl": "Polski"}


def select_locale() -> str:
    """``?lang=`` for a shared link, then the visitor's choice, then the browser's preference."""
    supported = current_app.config["ENGAGE_LOCALES"]
    if not has_request_context():  # the CLI and background work speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    if asked in supported:
        session["locale"] = asked
        return asked
    chosen = session.get("locale")
    if chosen in supported:
        return chosen
    return request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]


def text_direction() -> str:
    """'rtl' for right-to-left languages (Urdu), else 'ltr'."""
    locale = get_locale()
    return locale.text_direction if locale is not None else "ltr"
