"""Error pages in the GOV.UK style, and a JSON body for API clients."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from engage.extensions import db

logger = logging.getLogger(__name__)

#: Status codes with a page of their own; others use the generic page.
PAGES = {400, 403, 404, 405, 429, 500}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"
    )


def render_error(error: HTTPException):
    """Render an HTTP error as a page (or JSON for API clients) with its status code."""
    code = error.code or 500
    if _wants_json():
        # Keep the headers that belong to the error (WWW-Authenticate on a 401, Allow on a 405).
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        return {"error": {"status": code, "message": error.description}}, code, headers
    template = f"errors/{code}.html" if code in PAGES else "errors/generic.html"
    return render_template(template, error=error), code


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_template("errors/csrf.html", error=error), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render_error(error)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        logger.exception("unhandled error on %s %s", request.method, request.path)
        if app.testing and not app.config.get("ENGAGE_RENDER_500_IN_TESTS"):
            raise error  # a test should see the real failure, not a polite page
        return render_error(InternalServerError())
