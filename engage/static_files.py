"""Static files served light: gzip-compressed copies (made by `make assets`) to browsers that accept them, and
the built assets cached for a year, without nginx (WhiteNoise in front of the app).

Every built asset's URL carries a hash of its content (``asset_url`` gives ``build/htmx.min.js?v=3f2a...``),
so a browser may keep it for a year: a new version has a new URL. Files without the hash (the GOV.UK fonts and
images the stylesheet points at) are kept for an hour. nginx in front can serve the same directory the same
way (docs/deploy.md); both work.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, current_app, url_for
from whitenoise import WhiteNoise

YEAR = 365 * 24 * 3600
HOUR = 3600


class _StaticFiles(WhiteNoise):
    """WhiteNoise, with a year's immutable caching for URLs that carry their content's hash."""

    def __call__(self, environ, start_response):
        versioned = "v=" in environ.get("QUERY_STRING", "")

        def start(status, headers, exc_info=None):
            if versioned and status.startswith("200"):
                headers = [(k, v) for k, v in headers if k.lower() != "cache-control"]
                headers.append(("Cache-Control", f"public, max-age={YEAR}, immutable"))
            return start_response(status, headers, exc_info)

        return super().__call__(environ, start)


def _security_headers(headers, path: str, url: str) -> None:
    """The headers every page gets (engage/web.py), on static files too: an SVG is a document."""
    from engage.web import SECURITY_HEADERS, content_security_policy

    headers["Content-Security-Policy"] = content_security_policy()
    for name, value in SECURITY_HEADERS.items():
        headers[name] = value


@cache
def _content_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except OSError:
        return None


def asset_url(path: str) -> str:
    """URL of a built front-end asset (``make assets`` puts them under static/build), with its content's
    hash so it can be cached for a year."""
    file = Path(current_app.static_folder or "") / "build" / path
    version = _content_hash.__wrapped__(file) if current_app.debug else _content_hash(file)
    if version:
        return url_for("static", filename=f"build/{path}", v=version)
    return url_for("static", filename=f"build/{path}")


def init_app(app: Flask) -> None:
    app.wsgi_app = _StaticFiles(  # type: ignore[method-assign]
        app.wsgi_app,
        root=app.static_folder,
        prefix=app.static_url_path,
        max_age=HOUR,
        autorefresh=app.debug,
        add_headers_function=_security_headers,
    )
