"""What every page needs: template globals, security headers and static asset URLs."""

from __future__ import annotations

import functools
from typing import Any

from flask import Flask, current_app, g, request, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from engage import kept_html, static_files
from engage.i18n import LANGUAGE_NAMES, text_direction


@functools.cache  # two values, sent with every response
def content_security_policy(inline_styles: bool = False) -> str:
    """Strict: everything from this site, nothing inline. Scripts and styles are files the app serves.

    Pages with a Plotly chart allow inline *styles* (Plotly.js writes a <style> element while drawing);
    scripts stay strict everywhere.
    """
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'" if inline_styles else "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "object-src 'none'",
        ]
    )


def allow_inline_styles() -> None:
    """Call from a view whose page draws a Plotly chart."""
    g.csp_inline_styles = True


def _template_context() -> dict[str, Any]:
    locale = get_locale()
    code = str(locale) if locale else "en"
    return {
        "service_name": current_app.config["ENGAGE_SERVICE_NAME"],
        "partnership_name": current_app.config["ENGAGE_PARTNERSHIP_NAME"],
        "current_locale": code,
        "text_direction": text_direction(),
        "languages": [(c, LANGUAGE_NAMES[c]) for c in current_app.config["ENGAGE_LOCALES"]],
        "csrf_token_value": generate_csrf,
    }


#: Sent with every response, static files included (engage/static_files.py), besides the CSP.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def _security_headers(response):
    """Each header a view has not set itself, added in one go: the names already there are read once
    (each ``setdefault`` searched every header again, about 20 microseconds of every request)."""
    headers = response.headers
    present = {name.lower() for name, _ in headers}
    wanted = {
        "Content-Security-Policy": content_security_policy(inline_styles=g.get("csp_inline_styles", False)),
        **SECURITY_HEADERS,
    }
    if _not_for_caches(response):
        # Pages can hold personal data or a CSRF token, and staff downloads hold residents' answers: no
        # browser or shared cache may keep them.
        wanted["Cache-Control"] = "no-store"
    if current_app.config["SESSION_COOKIE_SECURE"]:
        # Behind HTTPS (secure cookies on): browsers must never again come here over plain HTTP, where the
        # cookie and the answers could be read or changed on the way.
        wanted["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    headers.extend([(name, value) for name, value in wanted.items() if name.lower() not in present])
    if "vary" in present:
        response.vary.add("Cookie")
    else:
        headers.add("Vary", "Cookie")
    return response


def _not_for_caches(response) -> bool:
    """Every page, every download (a file saved as an attachment) and anything served to signed-in staff."""
    if request.endpoint == "static":
        return False
    if response.mimetype == "text/html" or "attachment" in response.headers.get("Content-Disposition", ""):
        return True
    # A signed-in browser's session names its user (Flask-Login's key): read it without loading the user,
    # so this works when the database does not (an outage page must still be a 503, not a 500).
    return request.path.startswith("/manage") or "_user_id" in session


def content_lang() -> Markup:
    """` lang="en"` on content officers wrote in English, when the page is in another language.

    Screen readers then pronounce it as English (WCAG 3.1.2, language of parts). On a right-to-left page
    (Urdu) the English also gets ` dir="ltr"`, or its full stops and question marks land at the wrong end.
    Content translation will replace this with the language each text was actually written in.
    """
    attributes = english_attributes().items()
    return Markup("").join(Markup(' {}="{}"').format(name, value) for name, value in attributes)


def english_attributes() -> dict[str, str]:
    """:func:`content_lang` as attributes for a GOV.UK macro's ``attributes`` (a radio's label, say)."""
    locale = get_locale()
    if locale is None or locale.language == "en":
        return {}
    return {"lang": "en", "dir": "ltr"} if locale.text_direction == "rtl" else {"lang": "en"}


def init_app(app: Flask) -> None:
    """Register the context processor, template globals and response headers."""
    app.context_processor(_template_context)
    app.add_template_global(static_files.asset_url)
    app.add_template_global(content_lang)
    app.add_template_global(kept_html.govuk_component)
    app.after_request(_security_headers)
