"""Error pages in the GOV.UK style, and a JSON body for API clients."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask, current_app, g, render_template, request, session
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError, ServiceUnavailable

from engage.extensions import limiter, login_manager
from engage.transactions import abandon

logger = logging.getLogger(__name__)

#: Status codes with a page of their own; others use the generic page.
PAGES = {400, 403, 404, 405, 413, 429, 500, 503}

#: Seconds a client should wait before trying again when the database cannot be reached.
RETRY_AFTER = 30


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"
    )


def render_error(error: HTTPException, **context: Any):
    """Render an HTTP error as a page (or JSON for API clients) with its status code."""
    code = error.code or 500
    if _wants_json():
        # Keep the headers that belong to the error (WWW-Authenticate on a 401, Allow on a 405).
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        return {"error": {"status": code, "message": error.description}}, code, headers
    template = f"errors/{code}.html" if code in PAGES else "errors/generic.html"
    return render_template(template, error=error, **context), code


def refuse_for(seconds: int) -> None:
    """A view that answers 429 itself (a sign-in locked for a while, an email limit) says when to try again:
    ``Retry-After`` is added to its answer from this."""
    g.engage_retry_after = max(1, int(seconds))


def _retry_after() -> int:
    """Seconds until the rate limit that refused this request lets it through again (a minute when no limit
    of Flask-Limiter's did). Only refusals say it: the rate-limit headers on every answer cost the limiter's
    storage two more reads per request (config.py, ``RATELIMIT_HEADERS_ENABLED``)."""
    if g.get("engage_retry_after"):
        return int(g.engage_retry_after)
    refused = limiter.current_limit
    if refused is None:
        return 60
    return max(1, refused.reset_at - int(time.time()))


def form_with_csrf_message():  # whatever the view returns
    """The form a post came from, sent back with "this form was open too long" and what was typed.

    CSRF protection is global (``CSRFProtect``): a post without a valid token never reaches its view. For a
    view marked ``@form_page`` (it shows a form and does nothing before the form is valid), this runs the
    view once more with the token still refused: its ``EngageForm`` fails validation with the friendly
    message. The page is used only if a form did refuse the post that way and the view answered with a page
    (a redirect would lose the message: the "session timed out" page is shown instead). Nothing the view did
    is kept: the unit of work is abandoned and the visitor's session is put back as it was, but for the CSRF
    secret the page's new token is signed with.
    """
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or not getattr(view, "engage_form_page", False) or request.path.startswith("/api/"):
        return None
    kept = dict(session)
    try:
        result = current_app.ensure_sync(view)(**(request.view_args or {}))
    except HTTPException as error:
        result = render_error(error)
    finally:
        abandon()
        # The page's new token is signed with the session's CSRF secret: one made now (the session cookie
        # was lost) stays, or every later post would be refused in turn.
        secret_name = current_app.config["WTF_CSRF_FIELD_NAME"]
        secret = session.get(secret_name)
        session.clear()
        session.update(kept)
        if secret is not None:
            session[secret_name] = secret
    if not g.pop("engage_csrf_form_refused", False):
        return None
    response = current_app.make_response(result)
    return None if 300 <= response.status_code < 400 else response


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        abandon()
        page = form_with_csrf_message()
        if page is not None:
            return page
        return render_template("errors/csrf.html", error=error), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        abandon()
        if error.code == 429:
            seconds = _retry_after()
            refuse_for(seconds)  # say_when_to_try_again puts it in Retry-After, as for a view's own 429
            return render_error(error, wait=seconds)
        return render_error(error)

    @app.after_request
    def say_when_to_try_again(response):
        """Every 429 says when to try again, also one a view answered itself (``refuse_for``)."""
        if response.status_code == 429 and "Retry-After" not in response.headers:
            response.headers["Retry-After"] = str(_retry_after())
        return response

    @app.errorhandler(DBAPIError)
    def database_error(error: DBAPIError):
        """The database is down or restarting: "try again shortly" with a 503, never a stack trace.

        Only connection failures count (an invalid statement is a bug, and a 500). The pool tests a
        connection that lay idle before use and renews itself when one is found gone
        (``database.ping_after_idle``), so the app recovers by itself when the database is back.
        """
        if isinstance(error, DataError):
            # A value the database cannot store (e.g. a NUL character a form did not filter): the request
            # is bad, not the server; nothing was written.
            abandon()
            logger.warning("database refused a value on %s %s: %s", request.method, request.path, error.orig)
            return render_error(BadRequest())
        if not (error.connection_invalidated or _is_unreachable(error)):
            return unexpected_error(error)
        abandon()
        logger.error("database unavailable on %s %s: %s", request.method, request.path, error.orig)
        # The page must not need the database: show the header as for a visitor, without loading the user.
        g._login_user = login_manager.anonymous_user()
        response = render_error(ServiceUnavailable())
        response = app.make_response(response)
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        abandon()
        logger.exception("unhandled error on %s %s", request.method, request.path)
        if app.testing and not app.config.get("ENGAGE_RENDER_500_IN_TESTS"):
            raise error  # a test should see the real failure, not a polite page
        return render_error(InternalServerError())


#: SQLite reports bugs (no such table, syntax) and outages alike as OperationalError: tell them apart.
_SQLITE_OUTAGES = ("unable to open database", "database is locked", "disk i/o error", "readonly database")


def _is_unreachable(error: DBAPIError) -> bool:
    """True for "cannot connect" errors (PostgreSQL down, SQLite file missing or locked for too long)."""
    import sqlite3

    from sqlalchemy.exc import InterfaceError, OperationalError

    if isinstance(error.orig, sqlite3.Error):
        return any(text in str(error.orig).lower() for text in _SQLITE_OUTAGES)
    return isinstance(error, (OperationalError, InterfaceError))
